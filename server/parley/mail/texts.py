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
        "rating_scale": "1 = poor, 5 = excellent. Pick one, then confirm on the page it opens.",
        "image": "[image]",
        "footer": "Sent by the support team's help desk.",
        "rating_thanks": "Thank you! Your rating is recorded.",
        "rating_confirm": "Send my rating",
        "rating_comment": "Anything you would like to add? (optional)",
        "rating_score": "{score} of 5",
        "fixed_subject": "Fixed: {title}",
        "fixed_intro": "Good news about the problem you told us about:",
        "transcript_subject": "Your conversation with us",
        "transcript_intro": "Here is the transcript of your conversation with us, as you asked.",
        "you": "You",
    },
    "pl": {
        "reply_subject": "{agent} odpowiedział(a) na Twoją wiadomość",
        "reply_intro": "Masz nową odpowiedź w rozmowie z nami:",
        "reply_open": "Kontynuuj rozmowę",
        "reply_by_mail": "Możesz też po prostu odpowiedzieć na tego e-maila.",
        "rating_subject": "Jak nam poszło?",
        "rating_intro": "Twoja rozmowa z nami została zamknięta. Jak oceniasz otrzymaną pomoc?",
        "rating_scale": "1 = słabo, 5 = świetnie. Wybierz ocenę i potwierdź ją na stronie.",
        "image": "[obraz]",
        "footer": "Wysłane przez dział obsługi klienta.",
        "rating_thanks": "Dziękujemy! Twoja ocena została zapisana.",
        "rating_confirm": "Wyślij ocenę",
        "rating_comment": "Chcesz coś dodać? (opcjonalnie)",
        "rating_score": "{score} z 5",
        "fixed_subject": "Naprawione: {title}",
        "fixed_intro": "Dobra wiadomość w sprawie problemu, który nam zgłosiłeś(-aś):",
        "transcript_subject": "Twoja rozmowa z nami",
        "transcript_intro": "Zgodnie z prośbą przesyłamy zapis Twojej rozmowy z nami.",
        "you": "Ty",
    },
    "sl": {
        "reply_subject": "{agent} je odgovoril(a) na vaše sporočilo",
        "reply_intro": "V pogovoru z nami imate nov odgovor:",
        "reply_open": "Nadaljujte pogovor",
        "reply_by_mail": "Lahko tudi preprosto odgovorite na to e-pošto.",
        "rating_subject": "Kako smo se odrezali?",
        "rating_intro": "Vaš pogovor z nami je zaključen. Kako ocenjujete pomoč, ki ste jo dobili?",
        "rating_scale": "1 = slabo, 5 = odlično. Izberite oceno in jo potrdite na strani.",
        "image": "[slika]",
        "footer": "Poslala služba za pomoč strankam.",
        "rating_thanks": "Hvala! Vaša ocena je zabeležena.",
        "rating_confirm": "Pošlji oceno",
        "rating_comment": "Bi radi še kaj dodali? (neobvezno)",
        "rating_score": "{score} od 5",
        "fixed_subject": "Odpravljeno: {title}",
        "fixed_intro": "Dobra novica o težavi, ki ste nam jo sporočili:",
        "transcript_subject": "Vaš pogovor z nami",
        "transcript_intro": "Kot ste želeli, vam pošiljamo prepis vašega pogovora z nami.",
        "you": "Vi",
    },
}


def texts_for(locale: str | None) -> Mapping[str, str]:
    language = (locale or "en").split("-")[0].lower()
    return TEXTS.get(language, TEXTS["en"])
