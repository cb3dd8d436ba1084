"""Where a YAML text's values pass a limit, found with libyaml's parser: in C, without recursion, nothing built."""

from __future__ import annotations

import re
from collections.abc import Collection

import yaml

# PyYAML reads `[a:,b]` as the pair `a:` and `b`, where libyaml refuses a colon followed by one of
# , [ ] { } ("found unexpected ':'"). In a flow collection a blank after such a colon changes
# nothing, so a text libyaml cannot read is read again with a tab there: libyaml takes a tab as a
# blank, and PyYAML refuses one after a colon, so no such colon-and-tab is one PyYAML reads.
_FLOW_AFTER_COLON = ",[]{}"
_TAB_AFTER_COLON = re.compile(r":\t[,\[\]{}]")
_NODE_EVENTS = (yaml.ScalarEvent, yaml.AliasEvent, yaml.CollectionStartEvent)
# libyaml's limit on the length of a key: its colon is at most this far from where it starts.
_KEY_REACH = 1024


def value_past_limit(
    text: str, limit: int, loader: type[yaml.CSafeLoader], tags: Collection[str]
) -> yaml.Mark | None:
    """Where value `limit + 1` of the first document starts, counted as PyYAML's composer counts (an
    alias once), or None when libyaml cannot tell.

    libyaml's events are dropped as they come, so this takes a tenth of the time PyYAML takes to
    compose the values, and no memory. It reads the text as it is, then (if that fails) with a tab
    after each colon before , [ ] { or }. It gives up (None) where libyaml cannot read that far,
    where it meets what a composer refuses first (a tag not in `tags`, an unknown or repeated
    anchor), or where a tab made a pair outside flow collections (PyYAML reads `key:[1]` there as
    one scalar). libyaml is more lenient than PyYAML in places (tabs, some tags), so it may count
    past the limit in a text that PyYAML refuses for its syntax sooner.
    """
    mark = _first_past(text, limit, loader, tags)
    if mark is None and any(":" + indicator in text for indicator in _FLOW_AFTER_COLON):
        for indicator in _FLOW_AFTER_COLON:  # str.replace: no object per match, unlike re.sub
            text = text.replace(":" + indicator, ":\t" + indicator)
        mark = _first_past(text, limit, loader, tags)
    if mark is None or _tab_made_a_pair(text, mark, loader):
        return None
    return mark


def _first_past(text: str, limit: int, loader: type[yaml.CSafeLoader], tags: Collection[str]) -> yaml.Mark | None:
    """Where value `limit + 1` starts as libyaml reads `text` itself; None if it cannot read that far."""
    parser = loader(text)
    counted, anchors = 0, set()
    try:
        while not parser.check_event(yaml.DocumentEndEvent, yaml.StreamEndEvent):
            event = parser.get_event()
            if not isinstance(event, _NODE_EVENTS):
                continue
            tag = getattr(event, "tag", None)
            if (tag is not None and tag != "!" and tag not in tags) or \
                    (event.anchor is not None and (event.anchor in anchors) != isinstance(event, yaml.AliasEvent)):
                return None
            if event.anchor is not None:
                anchors.add(event.anchor)
            counted += 1
            if counted > limit:
                return event.start_mark
        return None
    except yaml.YAMLError:
        return None
    finally:
        parser.dispose()


def _tab_made_a_pair(text: str, until: yaml.Mark, loader: type[yaml.CSafeLoader]) -> bool:
    """Whether libyaml reads a colon before a tab and , [ ] { or } as an indicator outside flow
    collections, up to where the colon of a key starting at `until` can be."""
    end = until.index + _KEY_REACH
    if not _TAB_AFTER_COLON.search(text, 0, end + 3):
        return False  # no such colon: spare the scan (0.1–0.3 s for a megabyte)
    scanner = loader(text)
    flow_level = 0
    try:
        while (token := scanner.get_token()) is not None and token.start_mark.line <= until.line \
                and token.start_mark.index <= end:
            if isinstance(token, (yaml.FlowSequenceStartToken, yaml.FlowMappingStartToken)):
                flow_level += 1
            elif isinstance(token, (yaml.FlowSequenceEndToken, yaml.FlowMappingEndToken)):
                flow_level -= 1
            elif isinstance(token, yaml.ValueToken) and flow_level == 0 \
                    and _TAB_AFTER_COLON.match(text, token.start_mark.index):
                return True
        return False
    except yaml.YAMLError:
        return True
    finally:
        scanner.dispose()
