"""Lists of the case page loaded on demand (static/js/sections.js): the same URL answers a
fragment to the script (header X-Section: 1) and a whole page to a browser without JavaScript,
so every link of the summary works either way."""

from django.core.paginator import Paginator
from django.shortcuts import render

SECTION_PAGE_SIZE = 25


def section_paginate(request, queryset_or_list, *, per_page: int = SECTION_PAGE_SIZE):
    # get_page: a missing, non-numeric or out-of-range page gives a valid page, never a 500.
    return Paginator(queryset_or_list, per_page).get_page(request.GET.get("page"))


def section_render(request, *, template: str, title: str, case, context: dict):
    context = {**context, "case": case, "section_title": title, "query": _query_without_page(request)}
    if request.headers.get("X-Section") == "1":
        return render(request, template, context)
    return render(request, "cases/section_page.html", {**context, "section_template": template})


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
