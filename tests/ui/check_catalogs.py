#!/usr/bin/env python3
"""check_catalogs: every UI catalog in assets/i18n must match en.json.

The player falls back to English for a missing key and drops a translation
whose printf conversions differ from English (engine/ui/uistrings.c), so a
broken catalog never crashes a kiosk, but it does show trainees English in
the middle of their own language. This check makes those gaps a test
failure instead: missing or extra keys, conversions that differ from
English (order may change only through %N$ positions), a "language" member
that disagrees with the file name, empty texts, and Myanmar or Khmer text
in a byte order that Unicode fonts cannot shape (Zawgyi-style input).
"""

import json
import os
import re
import sys
import tempfile

# The conversions the player's formatter accepts: %s, %d, %% and %N$s/%N$d.
CONVERSION = re.compile(r"%(?:(%)|([1-9])\$([sd])|([sd])|(.?))", re.S)


def signature(text):
    """Return ({argument index: type}, problem) for a printf format."""
    types, seq, positional = {}, 0, None
    for m in CONVERSION.finditer(text):
        literal, pos, ptype, stype, other = m.groups()
        if literal:
            continue
        if other is not None:
            shown = "%" + other if other else "a lone % at the end"
            return None, "unsupported conversion %r (write %%%% for a literal %%)" % shown
        if pos:
            if positional is False:
                return None, "mixes numbered (%1$s) and plain (%s) conversions"
            positional, index, kind = True, int(pos), ptype
        else:
            if positional is True:
                return None, "mixes numbered (%1$s) and plain (%s) conversions"
            positional, seq = False, seq + 1
            index, kind = seq, stype
        if types.get(index, kind) != kind:
            return None, "argument %d is used both as %%s and as %%d" % index
        types[index] = kind
    if types and sorted(types) != list(range(1, max(types) + 1)):
        return None, "skips an argument (a formatter cannot know its type)"
    return types, None


def describe(types):
    return ", ".join("%%%d$%s" % (i, t) for i, t in sorted(types.items())) or "none"


def script_problem(lang, text):
    """Byte orders that only Zawgyi input or a typing slip produce."""
    base = lang.split("-")[0]
    if base == "my":
        # Unicode stores the vowel sign E (U+1031) after its consonant;
        # Zawgyi stores it first, where it follows a space or starts the text.
        m = re.search(r"(?:^|[^\u1000-\u109f])\u1031", text)
        if m:
            return "Myanmar vowel sign E (U+1031) before its consonant at offset %d: " \
                   "Zawgyi-encoded text? Retype it with a Unicode keyboard" % m.end()
    if base == "km":
        m = re.search(r"\u17d2(?![\u1780-\u17a2])", text)
        if m:
            return "Khmer COENG (U+17D2) not followed by a consonant at offset %d" % m.start()
    return None


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def check_dir(directory):
    """Return a list of problem lines for the catalogs in directory."""
    problems = []
    en_path = os.path.join(directory, "en.json")
    try:
        en = load(en_path)["strings"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        return ["%s: cannot read the English catalog: %s" % (en_path, e)]
    reference = {}
    for key, text in en.items():
        types, why = signature(text)
        if why:
            problems.append("%s: %s: %s" % (en_path, key, why))
        reference[key] = types
    names = sorted(n for n in os.listdir(directory) if n.endswith(".json") and n != "en.json")
    if not names:
        problems.append("%s: no catalogs besides en.json" % directory)
    for name in names:
        path = os.path.join(directory, name)
        try:
            cat = load(path)
        except (OSError, ValueError) as e:
            problems.append("%s: not valid JSON: %s" % (path, e))
            continue
        lang = name[:-len(".json")]
        if not isinstance(cat, dict) or not isinstance(cat.get("strings"), dict):
            problems.append("%s: needs an object with \"language\", \"name\" and \"strings\"" % path)
            continue
        if cat.get("language") != lang:
            problems.append("%s: \"language\" is %r but the file name says %r"
                            % (path, cat.get("language"), lang))
        if not isinstance(cat.get("name"), str) or not cat["name"].strip():
            problems.append("%s: \"name\" (the language's own name) is missing or empty" % path)
        strings = cat["strings"]
        for key in en:
            if key not in strings:
                problems.append("%s: missing key %r (English: %r)" % (path, key, en[key]))
        for key, text in strings.items():
            if key not in en:
                problems.append("%s: key %r is not in en.json (renamed or removed?)" % (path, key))
                continue
            # A separator may be only a space (Thai and Khmer lists), but a
            # text that has words in English needs words in translation.
            if not isinstance(text, str) or not text or \
                    (not text.strip() and any(ch.isalnum() for ch in en[key])):
                problems.append("%s: %s: empty translation" % (path, key))
                continue
            types, why = signature(text)
            if why:
                problems.append("%s: %s: %s" % (path, key, why))
            elif reference[key] is not None and types != reference[key]:
                problems.append("%s: %s: conversions %s differ from English %s (%r)"
                                % (path, key, describe(types), describe(reference[key]), en[key]))
            why = script_problem(lang, text)
            if why:
                problems.append("%s: %s: %s" % (path, key, why))
    return problems


def self_test():
    """The check must catch each kind of mistake it claims to catch."""
    en = {"a": "Page %d of %d", "b": "Hello, %s", "c": "%d%%", "d": "Plain"}
    cases = {
        "missing key": {"a": "%d/%d", "b": "%s", "c": "%d%%"},
        "not in en.json": {"a": "%d/%d", "b": "%s", "c": "%d%%", "d": "x", "zz": "x"},
        "differ from English": {"a": "%d/%s", "b": "%s", "c": "%d%%", "d": "x"},
        "unsupported conversion": {"a": "%d/%d", "b": "%s", "c": "%d%", "d": "x"},
        "mixes numbered": {"a": "%2$d/%d", "b": "%s", "c": "%d%%", "d": "x"},
        "empty translation": {"a": "%d/%d", "b": "%s", "c": "%d%%", "d": " "},
        "Zawgyi": {"a": "%d/%d", "b": "\u1031\u1000\u102c %s", "c": "%d%%", "d": "x"},
    }
    good = {"a": "%2$d 中 %1$d", "b": "%s", "c": "%d%%", "d": "x"}
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        def write(lang, strings):
            with open(os.path.join(tmp, lang + ".json"), "w", encoding="utf-8") as f:
                json.dump({"language": lang, "name": "x", "strings": strings}, f)
        write("en", en)
        write("my", good)
        if check_dir(tmp):
            failures.append("a correct catalog was rejected: %s" % check_dir(tmp))
        for expect, strings in cases.items():
            write("my", strings)
            found = check_dir(tmp)
            if not any(expect in p for p in found):
                failures.append("did not report %r; got %s" % (expect, found))
    return failures


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    directory = argv[1] if len(argv) > 1 else os.path.join(here, "..", "..", "assets", "i18n")
    failures = self_test()
    for f in failures:
        print("check_catalogs self-test: " + f, file=sys.stderr)
    problems = check_dir(directory)
    for p in problems:
        print(p, file=sys.stderr)
    if failures or problems:
        return 1
    count = len([n for n in os.listdir(directory) if n.endswith(".json")])
    print("%d catalogs match en.json (%d keys)" % (count - 1, len(load(os.path.join(directory, "en.json"))["strings"])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
