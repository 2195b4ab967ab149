"""The domain models, one module per topic, all re-exported here (as Zulip's
``zerver/models/``): ``from claims.models import Claim`` works for every model.

Changes to one row are model methods with verb names (``claim.assign(to=..., by=...)``);
workflows over several models live in the service packages (``claims.ingest``,
``claims.review``, ``claims.confirmation``, ``claims.sources``...). Every model keeps its
history (django-simple-history), and the reason for a change travels as the history's
``history_change_reason``. What happened to a claim is also data: a ``ClaimEvent`` (kind,
cause, fields) beside that sentence, written by ``claims.models.events.record``.
"""

from claims.models.articles import Article as Article
from claims.models.articles import ArticleRevision as ArticleRevision
from claims.models.articles import ArticleState as ArticleState
from claims.models.articles import with_light_article as with_light_article
from claims.models.claims import CORRECTABLE as CORRECTABLE
from claims.models.claims import HEDGING_FACTUALITY as HEDGING_FACTUALITY
from claims.models.claims import Claim as Claim
from claims.models.claims import ClaimCounts as ClaimCounts
from claims.models.claims import ClaimQuerySet as ClaimQuerySet
from claims.models.claims import ClaimStatus as ClaimStatus
from claims.models.claims import ClaimVerdict as ClaimVerdict
from claims.models.confirmation import AuditRun as AuditRun
from claims.models.confirmation import Confirmation as Confirmation
from claims.models.confirmation import ConfirmationRefused as ConfirmationRefused
from claims.models.counts import ArticleCounts as ArticleCounts
from claims.models.desk import DeskDay as DeskDay
from claims.models.desk import DeskStock as DeskStock
from claims.models.desk import FirstDecision as FirstDecision
from claims.models.events import ClaimEvent as ClaimEvent
from claims.models.events import EventKind as EventKind
from claims.models.events import LapseCause as LapseCause
from claims.models.evidence import Evidence as Evidence
from claims.models.evidence import EvidenceStance as EvidenceStance
from claims.models.integration import ApiToken as ApiToken
from claims.models.integration import ExternalStory as ExternalStory
from claims.models.integration import Feed as Feed
from claims.models.integration import FeedItem as FeedItem
from claims.models.integration import WebhookDelivery as WebhookDelivery
from claims.models.integration import WebhookSubscriber as WebhookSubscriber
from claims.models.memory import ClaimMatch as ClaimMatch
from claims.models.memory import Embedding as Embedding
from claims.models.memory import FactCheck as FactCheck
from claims.models.memory import MatchState as MatchState
from claims.models.publication import VerdictPage as VerdictPage
from claims.models.sources import ProvidedFile as ProvidedFile
from claims.models.sources import Publisher as Publisher
from claims.models.sources import PublisherDomain as PublisherDomain
from claims.models.sources import Source as Source
from claims.models.sources import SourceCapture as SourceCapture
from claims.models.speakers import Speaker as Speaker
from claims.models.speakers import SpeakerAlias as SpeakerAlias
from claims.models.speakers import SpeakerKind as SpeakerKind
from claims.models.team import TeamChange as TeamChange
