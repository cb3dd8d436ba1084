"""Text a student wrote, made safe to print: for a terminal, for the GitHub Actions runner, and inside JSON or XML."""

from __future__ import annotations

import re

# Bidirectional formatting characters (and the Arabic letter mark): they make a terminal, an editor
# or a browser show text in another order than it is read ("Trojan Source", CVE-2021-42574).
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"

# What a terminal acts on instead of showing: C0 and C1 controls (ESC starts colour, cursor, clear
# screen and OSC title/clipboard/hyperlink sequences; C1 0x9b is a one-byte CSI, 0x9d an OSC; CR
# returns to overwrite the line), DEL, bidi controls, and the line and paragraph separators that
# some terminals, editors and line splitters (Python's str.splitlines, JavaScript) break lines at.
_TERMINAL_UNSAFE = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}\u2028\u2029]")
_TERMINAL_UNSAFE_BUT_NEWLINE = re.compile(f"[\x00-\x09\x0b-\x1f\x7f-\x9f{_BIDI}\u2028\u2029]")

# --- the GitHub Actions runner -----------------------------------------------------------------
# The runner reads a step's stdout and stderr line by line, a line ending at \n, \r or \r\n
# (StreamReader.ReadLine in actions/runner src/Runner.Sdk/ProcessInvoker.cs), and hands each line
# to ActionCommandManager.TryProcessCommand (src/Runner.Worker/ActionCommandManager.cs), which runs it
# as a workflow command when one of the parsers of src/Runner.Common/ActionCommand.cs accepts it:
# - TryParseV2: the line with leading whitespace trimmed (string.TrimStart) starts with `::`, and a
#   second `::` ends the command name and properties: `  ::set-output name=score::100`,
#   `::stop-commands::TOKEN` (which silences every later command, our annotations included),
#   `::add-mask::0`, `::error::…`;
# - TryParse, the older form: `##[` ANYWHERE in the line, then a command name, properties and `]`:
#   `answer ##[set-output name=score]100`.
# StartsWith and IndexOf there are culture-sensitive .NET comparisons, which may skip characters that
# collate as ignorable; so zero-width, format and control characters count as absent here as well.
_IGNORABLE = (  # Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt), controls but line ends
    "\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0000-\U000e0fff"
)
# What TrimStart trims (Char.IsWhiteSpace) but line ends: spelled out rather than `\s`, so that a
# line's leading blanks never run into the next line (the match stays linear in the text's length).
_BLANK = "\t\x0b\x0c\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# The start of a line (for the runner, also after a lone \r), blanks and ignorables, then `:` `:`.
_LINE_START_COMMAND = re.compile(f"(?:^|(?<=\r))[{_BLANK}{_IGNORABLE}]*(?=:[{_IGNORABLE}]*:)", re.MULTILINE)
# `##[` with ignorables anywhere between; group 1 is everything before the bracket.
_OLD_COMMAND = re.compile(f"(#[{_IGNORABLE}]*#[{_IGNORABLE}]*)\\[")


def terminal_safe(text: str, *, keep_newlines: bool = False) -> str:
    """Text a student wrote, harmless on a terminal: controls, bidi controls and line separators are
    shown as visible escapes such as `\\x1b` or `\\u202e`; newlines kept only where `keep_newlines`."""
    unsafe = _TERMINAL_UNSAFE_BUT_NEWLINE if keep_newlines else _TERMINAL_UNSAFE
    return unsafe.sub(_visible_escape, text)


def runner_safe(text: str) -> str:
    """Text that the Actions runner reads as plain log lines, never as workflow commands.

    A backslash goes before the `::` that starts a line (after blanks) and before the `[` of `##[`;
    text without either is returned unchanged. Our own annotations are printed apart from this.
    """
    if ":" in text:
        text = _LINE_START_COMMAND.sub(lambda blank: blank.group() + "\\", text)
    if "#" in text:
        text = _OLD_COMMAND.sub(r"\1\\[", text)
    return text


def log_safe(text: str, *, keep_newlines: bool = False) -> str:
    """A student's text for a log that both people and the Actions runner read: terminal_safe, then runner_safe."""
    return runner_safe(terminal_safe(text, keep_newlines=keep_newlines))


# Characters that JSON and XML serializers write raw but that a terminal acts on (DEL, C1 controls,
# bidi controls) or that some line splitter breaks a line at: str.splitlines() and JavaScript split at
# \x85 \u2028 \u2029, so a results.jsonl record holding one would read as two. (splitlines() also
# splits at \x0b \x0c \x1c \x1d \x1e: JSON always escapes those, and XML 1.0 cannot hold them.)
_RAW_IN_DOCUMENTS = f"\x7f-\x9f{_BIDI}\u2028\u2029"
_JSON_UNSAFE = re.compile(f"[{_RAW_IN_DOCUMENTS}]")
# XML serializers also keep \r raw in text, and the runner breaks lines at it.
_XML_UNSAFE = re.compile(f"[\r{_RAW_IN_DOCUMENTS}]")
_XML_LINE_START_COMMAND = re.compile(f"^([{_BLANK}{_IGNORABLE}]*):(?=[{_IGNORABLE}]*:)", re.MULTILINE)


def json_safe(document: str) -> str:
    """JSON text with every line one line for every splitter, and no workflow command for the runner.

    Characters a terminal acts on or a splitter breaks at can only sit inside JSON strings, so they
    become `\\uXXXX` escapes (and `##[` becomes `##\\u005b`): the document decodes to the same values.
    """
    document = _JSON_UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", document)
    if "#" in document:
        document = _OLD_COMMAND.sub(r"\1\\u005b", document)
    return document


def xml_safe(document: str) -> str:
    """XML text (as xml.etree writes it) that prints safely and parses to exactly the same document.

    Terminal-active characters and \\r become character references, as do the `[` of `##[` and the
    first `:` of a text line starting with `::` (a multi-line answer in an element's text).
    """
    document = _XML_UNSAFE.sub(lambda match: f"&#x{ord(match.group()):x};", document)
    document = _XML_LINE_START_COMMAND.sub(r"\1&#58;", document)
    return _OLD_COMMAND.sub(r"\1&#91;", document)


def _visible_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
