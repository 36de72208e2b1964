"""API routes of statistics, mounted under api/v1/ (config/api_urls.py)."""

from django.urls import path

from .api import StatisticsSummaryView

urlpatterns = [path("statistics/summary", StatisticsSummaryView.as_view(), name="api_statistics_summary")]
