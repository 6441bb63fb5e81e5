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


# More class/id tokens of page furniture, for the generic main-text extractor
# (crawler.extract.mainbody), on top of _EXCLUDED_TOKEN_RE: site header and masthead, pagination,
# screen-reader-only text, author boxes, post meta (date, byline), popups.
_FURNITURE_TOKEN_RE = re.compile(
    r"(?:^|[-_])(?:masthead|site-header|page-header|header|pagination|pager|"
    r"sr-only|visually-hidden|visuallyhidden|screen-reader-text|screenreader|offscreen|"
    r"skip-link|skiplink|author|authors|author-box|about-author|post-meta|entry-meta|article-meta|"
    r"story-meta|dateline|timestamp|date|published|print|tools|utility|cta|banner|alert|"
    r"most-popular|popular|recommendations?|recommended|most-read|mostread|"
    r"more-(?:news|posts|articles|stories|from|in|on|like|videos|coverage)|also-read|read-next|whats-next|up-next|"
    r"inline-ad|advertising|sponsor|partner|affiliate|signup-form|hidden-print|"
    r"tooltip|lightbox|overlay|toc|table-of-contents|jump-link|consent|gdpr|cookies|cookie-banner)(?:$|[-_])",
    re.IGNORECASE,
)
# Tokens that describe a state or a layout, not what the element is
# (``has-sidebar``, ``content-with-sidebar``, ``modal-enabled``, ``header-style-2``), and
# embedded posts quoted by the article (``social-media-embed``).
_MODIFIER_TOKEN_RE = re.compile(
    r"^(?:has|with|no|non|is|enable|enabled|show|allow|and)[-_]|[-_](?:with|and|enabled?|style)(?:$|[-_])|embed",
    re.IGNORECASE,
)
# Tokens that name the article text itself: they win over a furniture token on the same element
# (``class="entry-content entry-content-read-more"``, ``class="article__body article-overlay"``).
_CONTENT_TOKEN_RE = re.compile(
    r"^(?:article|post|story|entry|hentry|h-entry|content|main-content|articlebody)$|"
    r"(?:article|story|entry|post|blog)[-_]*(?:body|content|text)",
    re.IGNORECASE,
)
# Whole tokens only (as a part of a longer token they name too much: ``hs_wrapper_meta_field``).
_FURNITURE_WORDS = frozenset({"meta", "metadata", "post-info", "article-info", "entry-info"})
_boilerplate_cache: dict[str, bool] = {}


def is_boilerplate_attr(class_or_id: str) -> bool:
    """True when a class or id attribute names page furniture around an article: everything
    :func:`is_chrome_attr` knows, plus headers, pagination, author boxes, post meta,
    screen-reader-only text and popups; unless a token names the article text itself
    (``entry-content``, ``article__body``) or the furniture word only describes a layout
    (``content-with-sidebar``, ``has-section-nav``); ``paywall`` marks the article itself
    on many sites, so it is no hint here. Used by the generic body extractor."""
    if not class_or_id:
        return False
    cached = _boilerplate_cache.get(class_or_id)
    if cached is not None:
        return cached
    chrome = content = False
    for token in class_or_id.split():
        if _CONTENT_TOKEN_RE.search(token) and not _EXCLUDED_TOKEN_RE.search(token):
            content = True
            break
        if not chrome and not _MODIFIER_TOKEN_RE.search(token) and token.lower() != "paywall":
            chrome = bool(
                _EXCLUDED_TOKEN_RE.search(token) or _FURNITURE_TOKEN_RE.search(token) or token.lower() in _FURNITURE_WORDS
            )
    result = chrome and not content
    if len(_boilerplate_cache) < 50_000:
        _boilerplate_cache[class_or_id] = result
    return result


# Furniture words that also name parts of an article: a table of contents beside the text
# (``grid-toc-content``), a collapsed "read more" part, a listicle item's header, a menu (of a
# restaurant), a newsletter issue.
_WEAK_TOKEN_RE = re.compile(
    r"(?:^|[-_])(?:toc|table-of-contents|read-more|readmore|header|menu|newsletter)(?:$|[-_])", re.IGNORECASE
)


def is_weak_boilerplate_attr(class_or_id: str) -> bool:
    """True when a class or id attribute names furniture (:func:`is_boilerplate_attr`) only with
    words that also name parts of an article (``toc``, ``read-more``, ``header``, ``menu``,
    ``newsletter``): the body extractor keeps such a container's text when it is prose."""
    if not class_or_id or not is_boilerplate_attr(class_or_id):
        return False
    rest = " ".join(t for t in class_or_id.split() if not _WEAK_TOKEN_RE.search(t))
    return not is_boilerplate_attr(rest)


_DISCUSSION_TOKEN_RE = re.compile(
    r"(?:^|[-_])(?:comments?|commentlist|disqus|discussion|respond|replies|reply|talkback)(?:$|[-_])",
    re.IGNORECASE,
)


def is_discussion_attr(class_or_id: str) -> bool:
    """True when a class or id attribute names a comment section (``comments``,
    ``comment-list``, ``disqus_thread``); layout tokens such as ``has-comments`` do not count.
    Comment sections hold prose, so the body extractor never takes its text from inside one."""
    if not class_or_id:
        return False
    return any(
        _DISCUSSION_TOKEN_RE.search(token) and not _MODIFIER_TOKEN_RE.search(token) for token in class_or_id.split()
    )


# Short texts that are page furniture wherever they sit (on top of is_chrome_text): ad labels,
# script-only widgets, WordPress shortcodes left in the text, cookie notices.
_FURNITURE_TEXT_RE = re.compile(
    r"""^(?:
        adverts?|advertising|anzeige|publicit[eé]|publicidad|
        this\s+(?:slideshow|video|content|embed)\s+requires\s+javascript.{0,40}|
        (?:please\s+)?enable\s+javascript\b.{0,120}|
        \[[a-z_-]+(?:\s[^\]]*)?\].{0,200}\[/[a-z_-]+\]|
        we\s+use\s+cookies\b.{0,400}|by\s+(?:using|continuing|choosing)\b.{0,80}\bcookies\b.{0,200}|
        tell\s+us\s+what\s+you\s+think.{0,40}|leave\s+a\s+(?:comment|reply).{0,40}|
        (?:click|tap)\s+here\s+to\s+(?:subscribe|sign\s+up|download\s+our\s+app|follow)\b.{0,120}
    )$""",
    re.IGNORECASE | re.VERBOSE | re.DOTALL,
)


def is_furniture_text(text: str) -> bool:
    """True when a short block of text is furniture in any page (ad labels, "This slideshow
    requires JavaScript", shortcodes, cookie notices), beyond what
    :func:`is_chrome_text` knows. Used by the generic body extractor."""
    t = (text or "").strip()
    if not t or len(t) > 500:
        return False
    return _FURNITURE_TEXT_RE.match(t.rstrip(".…!:").strip()) is not None


# Class/id tokens of modules beside the main article that show other pages' fields: teasers,
# rails, related and recirculation blocks, "latest"/"more from" lists, sidebars, comments, the
# site footer. (``footer`` alone is no hint: an article's own footer may hold its credits.)
_MODULE_TOKEN_RE = re.compile(
    r"(?:^|[-_])(?<!no-)(?<!no_)(?<!has-)(?<!has_)(?<!with-)(?<!with_)(?:teasers?|rail|rails|right-rail|left-rail|related|recirc|recirculation|latest|"
    r"more-(?:from|reviews|stories|news|posts|articles|like|in|on)|most-popular|most-read|popular|"
    r"trending|recommended|recommendations?|read-next|up-next|whats-next|also-read|outbrain|taboola|"
    r"sidebar|site-footer|page-footer|global-footer|promo|promos)(?:$|[-_])",
    re.IGNORECASE,
)
# Headings of such modules ("Latest From Reviews", "More from Film", "You may also like").
_MODULE_HEADING_RE = re.compile(
    r"^(?:the\s+)?(?:latest|trending|popular|most\s+(?:popular|read|viewed|shared)|related(?:\s+\w+)?|"
    r"recommended|more\s+(?:from|reviews|stories|news|in|on|like\s+this|to\s+(?:read|watch))|"
    r"you\s+(?:may|might)\s+(?:also\s+)?like|read\s+(?:next|more)|up\s+next|what\s+to\s+watch|"
    r"around\s+the\s+web|\d*\s*comments?|join\s+the\s+discussion|editors?[’']?\s+picks?|"
    r"featured\s+(?:articles|stories|posts|reviews))\b",
    re.IGNORECASE,
)


_module_cache: dict[str, bool] = {}


def is_module_attr(class_or_id: str) -> bool:
    """True when a class or id attribute names a module beside the main article (teaser, rail,
    related, "latest", sidebar, comments, site footer: :func:`is_discussion_attr`'s comment
    sections too); layout tokens (``has-sidebar``, ``no-comments``) do not count. Fields of the
    page (title, grade, credits, authors, dates) are never read inside one."""
    if not class_or_id or class_or_id.isspace():
        return False
    cached = _module_cache.get(class_or_id)
    if cached is None:
        cached = is_discussion_attr(class_or_id) or any(
            _MODULE_TOKEN_RE.search(token) and not _MODIFIER_TOKEN_RE.search(token) for token in class_or_id.split()
        )
        if len(_module_cache) < 50_000:
            _module_cache[class_or_id] = cached
    return cached


def is_module_heading(text: str) -> bool:
    """True when a short heading introduces such a module (``Latest From Reviews``,
    ``More from Film``, ``12 comments``)."""
    t = (text or "").strip()
    return 0 < len(t) <= 60 and _MODULE_HEADING_RE.match(t) is not None
