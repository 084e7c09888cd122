"""The help center's own words in each language the articles come in (English as fallback).

Articles carry their own locale; the chrome around them (buttons, headings, dates, plurals)
should speak the same language, or a Polish article sits inside an English page.
"""

from __future__ import annotations

from datetime import datetime

DEFAULT_LOCALE = "en"

_EN = {
    "site_name": "Help Center",
    "home_description": "Guides, answers to common questions and troubleshooting steps.",
    "hero_title": "How can we help?",
    "search_label": "Search the help center",
    "search_placeholder": "Search articles",
    "search_button": "Search",
    "skip": "Skip to content",
    "browse": "Browse by topic",
    "view_all": "View all",
    "results_for": "Results for",
    "no_results_for": "No results for",
    "no_results_hint": "Try fewer or different words, or check the spelling.",
    "did_you_mean": "Did you mean",
    "search_title": "Search",
    "empty_search": "Type a few words to search the help center.",
    "faq_badge": "FAQ",
    "contact_title": "Still need help?",
    "contact_text": "Our support team is one message away: open the chat in the corner of "
    "this page and a person will answer.",
    "contact_button": "Contact support",
    "on_this_page": "On this page",
    "faq": "Frequently asked questions",
    "updated": "Updated",
    "helpful_question": "Was this article helpful?",
    "yes": "Yes",
    "no": "No",
    "thanks": "Thanks for your feedback! It helps us improve this article.",
    "related": "Related articles",
    "not_found_title": "Page not found",
    "not_found_text": "We couldn't find that page. It may have moved or been renamed; "
    "searching usually finds it.",
    "bad_request_title": "Something is missing",
    "back_home": "Back to the help center",
    "language": "Language",
    "breadcrumbs": "Breadcrumbs",
}

_PL = {
    "site_name": "Centrum pomocy",
    "home_description": "Poradniki, odpowiedzi na częste pytania i rozwiązywanie problemów.",
    "hero_title": "Jak możemy pomóc?",
    "search_label": "Przeszukaj centrum pomocy",
    "search_placeholder": "Szukaj w artykułach",
    "search_button": "Szukaj",
    "skip": "Przejdź do treści",
    "browse": "Przeglądaj według tematu",
    "view_all": "Zobacz wszystkie",
    "results_for": "Wyniki dla",
    "no_results_for": "Brak wyników dla",
    "no_results_hint": "Spróbuj użyć mniej lub innych słów albo sprawdź pisownię.",
    "did_you_mean": "Czy chodziło Ci o",
    "search_title": "Szukaj",
    "empty_search": "Wpisz kilka słów, aby przeszukać centrum pomocy.",
    "faq_badge": "FAQ",
    "contact_title": "Nadal potrzebujesz pomocy?",
    "contact_text": "Nasz zespół wsparcia jest o jedną wiadomość stąd: otwórz czat w rogu "
    "strony, a odpowie Ci człowiek.",
    "contact_button": "Skontaktuj się z nami",
    "on_this_page": "Na tej stronie",
    "faq": "Najczęściej zadawane pytania",
    "updated": "Zaktualizowano",
    "helpful_question": "Czy ten artykuł był pomocny?",
    "yes": "Tak",
    "no": "Nie",
    "thanks": "Dziękujemy za opinię! Pomaga nam ulepszać ten artykuł.",
    "related": "Powiązane artykuły",
    "not_found_title": "Nie znaleziono strony",
    "not_found_text": "Nie udało się znaleźć tej strony. Mogła zostać przeniesiona; "
    "wyszukiwarka zwykle ją odnajdzie.",
    "bad_request_title": "Czegoś brakuje",
    "back_home": "Wróć do centrum pomocy",
    "language": "Język",
    "breadcrumbs": "Ścieżka nawigacji",
}

_STRINGS = {"en": _EN, "pl": _PL}

LANGUAGE_NAMES = {"en": "English", "pl": "Polski", "de": "Deutsch", "fr": "Français"}

# (one, few, many): English uses "few" for every count above one.
_ARTICLES = {"en": ("article", "articles", "articles"), "pl": ("artykuł", "artykuły", "artykułów")}
_RESULTS = {"en": ("result", "results", "results"), "pl": ("wynik", "wyniki", "wyników")}

_MONTHS = {
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
    "pl": (
        "stycznia",
        "lutego",
        "marca",
        "kwietnia",
        "maja",
        "czerwca",
        "lipca",
        "sierpnia",
        "września",
        "października",
        "listopada",
        "grudnia",
    ),
}


def language(locale: str) -> str:
    return locale.split("-")[0].split("_")[0].lower()


def strings(locale: str) -> dict[str, str]:
    return _STRINGS.get(language(locale), _EN)


def language_name(locale: str) -> str:
    return LANGUAGE_NAMES.get(language(locale), locale)


def _plural(count: int, forms: dict[str, tuple[str, str, str]], locale: str) -> str:
    one, few, many = forms.get(language(locale), forms[DEFAULT_LOCALE])
    if count == 1:
        return f"{count} {one}"
    if language(locale) == "pl" and not (2 <= count % 10 <= 4 and not 12 <= count % 100 <= 14):
        return f"{count} {many}"
    return f"{count} {few}"


def count_articles(count: int, locale: str) -> str:
    return _plural(count, _ARTICLES, locale)


def count_results(count: int, locale: str) -> str:
    return _plural(count, _RESULTS, locale)


def format_date(moment: datetime, locale: str) -> str:
    months = _MONTHS.get(language(locale), _MONTHS[DEFAULT_LOCALE])
    return f"{moment.day} {months[moment.month - 1]} {moment.year}"
