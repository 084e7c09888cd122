"""The help center's own words in each language the articles come in: English, Polish and
Slovenian, as the widget speaks (English for any other).

Articles carry their own locale; the chrome around them (buttons, headings, dates, plurals)
should speak the same language, or a Polish article sits inside an English page.
"""

from __future__ import annotations

from datetime import datetime

DEFAULT_LOCALE = "en"

_EN = {
    "site_name": "Help Center",
    "named_site": "{name} Help Center",
    "back_to_site": "Go to {name}",
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
    "named_site": "Centrum pomocy {name}",
    "back_to_site": "Przejdź do {name}",
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

_SL = {
    "site_name": "Center za pomoč",
    "named_site": "Center za pomoč {name}",
    "back_to_site": "Na {name}",
    "home_description": "Vodiči, odgovori na pogosta vprašanja in odpravljanje težav.",
    "hero_title": "Kako vam lahko pomagamo?",
    "search_label": "Iskanje po centru za pomoč",
    "search_placeholder": "Iskanje po člankih",
    "search_button": "Išči",
    "skip": "Preskoči na vsebino",
    "browse": "Brskanje po temah",
    "view_all": "Prikaži vse",
    "results_for": "Rezultati za",
    "no_results_for": "Ni rezultatov za",
    "no_results_hint": "Poskusite z manj ali drugimi besedami ali preverite črkovanje.",
    "did_you_mean": "Ste mislili",
    "search_title": "Iskanje",
    "empty_search": "Vpišite nekaj besed za iskanje po centru za pomoč.",
    "faq_badge": "Pogosta vprašanja",
    "contact_title": "Še vedno potrebujete pomoč?",
    "contact_text": "Naša ekipa za podporo je le sporočilo stran: odprite klepet v kotu strani "
    "in odgovoril vam bo človek.",
    "contact_button": "Pišite nam",
    "on_this_page": "Na tej strani",
    "faq": "Pogosta vprašanja",
    "updated": "Posodobljeno",
    "helpful_question": "Vam je bil ta članek v pomoč?",
    "yes": "Da",
    "no": "Ne",
    "thanks": "Hvala za povratne informacije! Pomagajo nam izboljšati ta članek.",
    "related": "Sorodni članki",
    "not_found_title": "Strani ni mogoče najti",
    "not_found_text": "Te strani nismo našli. Morda je bila premaknjena ali preimenovana; "
    "iskanje jo običajno najde.",
    "bad_request_title": "Nekaj manjka",
    "back_home": "Nazaj v center za pomoč",
    "language": "Jezik",
    "breadcrumbs": "Drobtinice",
}

_STRINGS = {"en": _EN, "pl": _PL, "sl": _SL}

LANGUAGE_NAMES = {
    "en": "English",
    "pl": "Polski",
    "sl": "Slovenščina",
    "de": "Deutsch",
    "fr": "Français",
}

# Each language's forms by Intl.PluralRules category (the widget's locales use the same rules).
_ARTICLES = {
    "en": {"one": "article", "other": "articles"},
    "pl": {"one": "artykuł", "few": "artykuły", "many": "artykułów"},
    "sl": {"one": "članek", "two": "članka", "few": "članki", "other": "člankov"},
}
_RESULTS = {
    "en": {"one": "result", "other": "results"},
    "pl": {"one": "wynik", "few": "wyniki", "many": "wyników"},
    "sl": {"one": "rezultat", "two": "rezultata", "few": "rezultati", "other": "rezultatov"},
}

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
    "sl": (
        "januar",
        "februar",
        "marec",
        "april",
        "maj",
        "junij",
        "julij",
        "avgust",
        "september",
        "oktober",
        "november",
        "december",
    ),
}


def language(locale: str) -> str:
    return locale.split("-")[0].split("_")[0].lower()


def strings(locale: str) -> dict[str, str]:
    return _STRINGS.get(language(locale), _EN)


def language_name(locale: str) -> str:
    return LANGUAGE_NAMES.get(language(locale), locale)


def site_name(admins_name: str, locale: str) -> str:
    """The help center's name: "Tallybird Help Center" once the admin named the site."""
    words = strings(locale)
    return words["named_site"].format(name=admins_name) if admins_name else words["site_name"]


def plural_category(count: int, locale: str) -> str:
    """CLDR's plural category of a whole number (English, Polish, Slovenian)."""
    lang = language(locale)
    if lang == "pl":
        if count == 1:
            return "one"
        return "few" if 2 <= count % 10 <= 4 and not 12 <= count % 100 <= 14 else "many"
    if lang == "sl":
        return {1: "one", 2: "two", 3: "few", 4: "few"}.get(count % 100, "other")
    return "one" if count == 1 else "other"


def _plural(count: int, forms: dict[str, dict[str, str]], locale: str) -> str:
    lang = language(locale)
    chosen = forms.get(lang, forms[DEFAULT_LOCALE])
    category = plural_category(count, lang if lang in forms else DEFAULT_LOCALE)
    return f"{count} {chosen[category]}"


def count_articles(count: int, locale: str) -> str:
    return _plural(count, _ARTICLES, locale)


def count_results(count: int, locale: str) -> str:
    return _plural(count, _RESULTS, locale)


def format_date(moment: datetime, locale: str) -> str:
    months = _MONTHS.get(language(locale), _MONTHS[DEFAULT_LOCALE])
    dot = "." if language(locale) == "sl" else ""  # "5. december 2026"
    return f"{moment.day}{dot} {months[moment.month - 1]} {moment.year}"
