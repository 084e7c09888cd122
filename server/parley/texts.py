"""What Parley itself says inside a conversation, in the visitor's language.

The widget's own strings live in ``widget/locales``; these are the bot's replies and the
system messages stored in the conversation, so they are chosen when written, from the
conversation's locale, with English as the fallback.
"""

from __future__ import annotations

_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "bot_found": "Here is what I found in the help center. Did one of these answer your "
        "question? If not, you can talk to a person.",
        "bot_unsure": "I am not sure these answer your question, but they might help. "
        "If they don't, choose “Talk to a person”.",
        "bot_nothing": "I couldn't find anything in the help center about that. "
        "Would you like to talk to a person?",
        "offline": "Nobody from the team is online right now. We are usually around {hours} "
        "({timezone}). Leave your email and we will reply there; this conversation stays open "
        "for the first person who comes in.",
        "joined": "{agent} joined the conversation.",
        "transferred": "{agent} handed this conversation to {target}.",
        "disconnected": "Your agent was disconnected; finding someone else to help.",
        "contact_thanks": "Thanks! We will reply to {email} if you are gone by then.",
        "transcript_later": "We will email the transcript to {email} when this conversation "
        "is resolved.",
        "transcript_now": "We are emailing the transcript to {email}.",
    },
    "pl": {
        "bot_found": "Oto co znalazłem w centrum pomocy. Czy któryś z tych artykułów "
        "odpowiada na Twoje pytanie? Jeśli nie, możesz porozmawiać z konsultantem.",
        "bot_unsure": "Nie mam pewności, czy to odpowiada na Twoje pytanie, ale może pomóc. "
        "Jeśli nie, wybierz „Porozmawiaj z konsultantem”.",
        "bot_nothing": "Nie znalazłem w centrum pomocy nic na ten temat. "
        "Czy chcesz porozmawiać z konsultantem?",
        "offline": "W tej chwili nikt z zespołu nie jest dostępny. Zwykle jesteśmy dostępni "
        "{hours} ({timezone}). Zostaw adres e-mail, a odpowiemy na niego; rozmowa poczeka "
        "na pierwszą osobę, która się pojawi.",
        "joined": "{agent} dołącza do rozmowy.",
        "transferred": "{agent} przekazuje rozmowę: {target}.",
        "disconnected": "Konsultant stracił połączenie; szukamy kogoś innego do pomocy.",
        "contact_thanks": "Dziękujemy! Jeśli już Cię tu nie będzie, odpowiemy na {email}.",
        "transcript_later": "Po zakończeniu rozmowy wyślemy jej zapis na {email}.",
        "transcript_now": "Wysyłamy zapis rozmowy na {email}.",
    },
    "sl": {
        "bot_found": "V centru za pomoč sem našel tole. Ali kateri od teh člankov odgovori na "
        "vaše vprašanje? Če ne, se lahko pogovorite z osebo.",
        "bot_unsure": "Nisem prepričan, da to odgovori na vaše vprašanje, a morda pomaga. "
        "Če ne, izberite »Pogovor z osebo«.",
        "bot_nothing": "V centru za pomoč nisem našel ničesar o tem. "
        "Bi se radi pogovorili z osebo?",
        "offline": "Trenutno ni nikogar iz ekipe na voljo. Običajno smo dosegljivi {hours} "
        "({timezone}). Pustite e-poštni naslov in odgovorili vam bomo tja; pogovor ostane "
        "odprt za prvo osebo, ki pride.",
        "joined": "{agent} se je pridružil pogovoru.",
        "transferred": "{agent} je pogovor predal: {target}.",
        "disconnected": "Vaš sogovornik je izgubil povezavo; iščemo nekoga drugega.",
        "contact_thanks": "Hvala! Če vas takrat ne bo več tu, bomo odgovorili na {email}.",
        "transcript_later": "Ko bo pogovor zaključen, bomo prepis poslali na {email}.",
        "transcript_now": "Prepis pogovora pošiljamo na {email}.",
    },
}


def say(key: str, locale: str | None, **values: str) -> str:
    """The text for ``key`` in ``locale`` (``pl-PL`` → ``pl``), English when missing."""
    language = (locale or "en").split("-")[0].split("_")[0].lower()
    return _TEXTS.get(language, _TEXTS["en"]).get(key, _TEXTS["en"][key]).format(**values)
