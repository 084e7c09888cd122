"""The words of the mails visitors get, in English, Polish and Slovenian (English the fallback).

The templates (``templates/``) lay them out; each mail is chosen in the conversation's language.
Agents' mails are in English, like the console.
"""

from __future__ import annotations

from collections.abc import Mapping

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "reply_subject": "{agent} replied to your message",
        "reply_intro": "You have a new reply to your conversation with us:",
        "reply_open": "Continue the conversation",
        "reply_by_mail": "You can also simply reply to this email.",
        "rating_subject": "How did we do?",
        "rating_intro": "Your conversation with us is closed. How would you rate the help you got?",
        "rating_scale": "1 = poor, 5 = excellent. One click records your answer.",
        "image": "[image]",
        "footer": "Sent by the support team's help desk.",
        "rating_thanks": "Thank you! Your rating is recorded.",
        "fixed_subject": "Fixed: {title}",
        "fixed_intro": "Good news about the problem you told us about:",
    },
    "pl": {
        "reply_subject": "{agent} odpowiedział(a) na Twoją wiadomość",
        "reply_intro": "Masz nową odpowiedź w rozmowie z nami:",
        "reply_open": "Kontynuuj rozmowę",
        "reply_by_mail": "Możesz też po prostu odpowiedzieć na tego e-maila.",
        "rating_subject": "Jak nam poszło?",
        "rating_intro": "Twoja rozmowa z nami została zamknięta. Jak oceniasz otrzymaną pomoc?",
        "rating_scale": "1 = słabo, 5 = świetnie. Jedno kliknięcie zapisuje ocenę.",
        "image": "[obraz]",
        "footer": "Wysłane przez dział obsługi klienta.",
        "rating_thanks": "Dziękujemy! Twoja ocena została zapisana.",
        "fixed_subject": "Naprawione: {title}",
        "fixed_intro": "Dobra wiadomość w sprawie problemu, który nam zgłosiłeś(-aś):",
    },
    "sl": {
        "reply_subject": "{agent} je odgovoril(a) na vaše sporočilo",
        "reply_intro": "V pogovoru z nami imate nov odgovor:",
        "reply_open": "Nadaljujte pogovor",
        "reply_by_mail": "Lahko tudi preprosto odgovorite na to e-pošto.",
        "rating_subject": "Kako smo se odrezali?",
        "rating_intro": "Vaš pogovor z nami je zaključen. Kako ocenjujete pomoč, ki ste jo dobili?",
        "rating_scale": "1 = slabo, 5 = odlično. En klik zabeleži vašo oceno.",
        "image": "[slika]",
        "footer": "Poslala služba za pomoč strankam.",
        "rating_thanks": "Hvala! Vaša ocena je zabeležena.",
        "fixed_subject": "Odpravljeno: {title}",
        "fixed_intro": "Dobra novica o težavi, ki ste nam jo sporočili:",
    },
}


def texts_for(locale: str | None) -> Mapping[str, str]:
    language = (locale or "en").split("-")[0].lower()
    return TEXTS.get(language, TEXTS["en"])
