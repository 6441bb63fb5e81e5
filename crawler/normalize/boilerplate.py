"""Recognise page chrome that sits among article paragraphs (pure functions of strings).

Ads labels, comment prompts, newsletter and share prompts, "read more" teasers: short
paragraphs that are never part of a review's body.
"""

from __future__ import annotations

import re

_CHROME_RE = re.compile(
    r"""^(?:
        advertisement|advertisements?\s+continue\s+below|ad|sponsored(?:\s+content)?|
        story\s+continues\s+below(?:\s+advertisement)?|
        join\s+the\s+discussion\b.*|
        (?:view|show|load|read)\s+(?:all\s+)?\d*\s*comments?\b.*|
        \d+\s+comments?|comments?|
        share(?:\s+this(?:\s+(?:article|story|review))?)?(?:\s+on\b.*)?|copy\s+link|
        (?:sign\s+up|subscribe)\b.{0,160}(?:newsletter|inbox|email|updates)\b.{0,80}|
        (?:get|want)\s+(?:the\s+)?.{0,60}\b(?:newsletter|in\s+your\s+inbox)\b.{0,80}|
        (?:related|read\s+more|more\s+from|recommended|you\s+may\s+also\s+like|see\s+also|trending)\b.{0,120}|
        (?:image|photo|photograph|screenshot)(?:\s+credit)?\s*:.{0,120}|
        (?:follow|like)\s+us\s+on\b.{0,80}
    )$""",
    re.IGNORECASE | re.VERBOSE | re.DOTALL,
)
# Class/id tokens of containers whose text is never body text.
_EXCLUDED_TOKEN_RE = re.compile(
    r"(?:^|[-_])(?:ad|ads|advert|advertisement|adslot|ad-slot|dfp|gpt|share|sharing|sharebar|social|"
    r"related|recirc|recirculation|newsletter|subscribe|subscription|signup|comment|comments|"
    r"disqus|credits?|byline|bylines|author-bio|promo|sponsored|outbrain|taboola|breadcrumb|"
    r"breadcrumbs|tags|tag-list|toolbar|popup|modal|cookie|paywall|grade|rating|caption|"
    r"read-more|readmore|more-stories|trending|footer|nav|navigation|menu|sidebar)(?:$|[-_])",
    re.IGNORECASE,
)


def is_chrome_text(text: str) -> bool:
    """True when a short paragraph is page chrome (ad label, comments or share prompt, ...)."""
    t = (text or "").strip()
    if not t:
        return True
    if len(t) > 300:
        return False
    return _CHROME_RE.match(t.rstrip(".…!:").strip()) is not None or t.lower().startswith("join the discussion")


def is_chrome_attr(class_or_id: str) -> bool:
    """True when a class or id attribute names a container of page chrome
    (``ad-slot``, ``share-bar``, ``related``, ``review-credits``, ...)."""
    if not class_or_id:
        return False
    return any(_EXCLUDED_TOKEN_RE.search(token) for token in class_or_id.split())
