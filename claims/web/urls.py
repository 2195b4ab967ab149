from __future__ import annotations

from django.urls import include, path

from claims.web import articles_edit, views

urlpatterns = [
    path("", views.home, name="home"),
    path("articles/", views.article_list, name="article-list"),
    path("articles/new/", articles_edit.article_new, name="article-new"),
    path("articles/<int:pk>/", views.article_detail, name="article-detail"),
    path("articles/<int:pk>/status/", views.article_status, name="article-status"),
    path("articles/<int:pk>/refinement/", views.article_refinement, name="article-refinement"),
    path("articles/<int:pk>/retry/", views.article_retry, name="article-retry"),
    path("articles/<int:pk>/edit/", articles_edit.article_edit, name="article-edit"),
    path(
        "articles/<int:pk>/retry-with/", articles_edit.article_retry_with, name="article-retry-with"
    ),
    path("articles/<int:pk>/archive/", articles_edit.article_archive, name="article-archive"),
    path("claims/", views.claim_list, name="claim-list"),
    path("claims/<int:pk>/", views.claim_panel, name="claim-panel"),
    path("claims/<int:pk>/status/", views.claim_status, name="claim-status"),
    path("claims/<int:pk>/evidence/live/", views.claim_evidence_live, name="claim-evidence-live"),
    path("claims/<int:pk>/assign/", views.claim_assign, name="claim-assign"),
    path("claims/<int:pk>/correct/", views.claim_correct, name="claim-correct"),
    path("claims/<int:pk>/split/", views.claim_split, name="claim-split"),
    path("claims/<int:pk>/merge/", views.claim_merge, name="claim-merge"),
    path("articles/<int:pk>/claims/new/", views.claim_create, name="claim-create"),
    path("claims/<int:pk>/evidence/", views.evidence_add, name="evidence-add"),
    path("evidence/<int:pk>/delete/", views.evidence_delete, name="evidence-delete"),
    path("evidence/<int:pk>/stance/", views.evidence_stance, name="evidence-stance"),
    path("sources/", views.source_list, name="source-list"),
    path("sources/<int:pk>/", views.source_detail, name="source-detail"),
    path("sources/<int:pk>/capture/", views.source_capture, name="source-capture"),
    path("", include("claims.api.urls")),  # the API, the downloads, and the API's JSON 404
    path("", include("claims.web.matching")),
    path("", include("claims.web.tokens")),
    path("", include("claims.web.verdicts")),
    path("", include("claims.web.desk")),
    path("", include("claims.web.dashboard")),
    path("", include("claims.web.team")),
    path("", include("claims.web.speakers")),
]
