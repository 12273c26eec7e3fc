"""The 2-set (두벌식) Korean keyboard: which keys type a word, and which Hangul keys type.

On this layout each jamo has one key of a QWERTY keyboard (shifted for the five doubled
consonants and two vowels), and a compound vowel or a final consonant cluster is typed as
two jamo. So a Hangul word and the Latin letters typed in the wrong mode are the same key
string (강화 <-> ``rkdghk``), which is how :mod:`searchidx.correct` compares words.
"""

from __future__ import annotations

import functools

__all__ = ["KEY_ALPHABET", "SHIFTED", "keystrokes", "from_keystrokes"]

# 2-set (두벌식) layout: the key of each jamo; shifted keys are upper case.
_KEY_OF = dict(
    zip("ㅂㅈㄷㄱㅅㅛㅕㅑㅐㅔㅁㄴㅇㄹㅎㅗㅓㅏㅣㅋㅌㅊㅍㅠㅜㅡㅃㅉㄸㄲㅆㅒㅖ", "qwertyuiopasdfghjklzxcvbnmQWERTOP")
)
_JAMO_OF = {key: jamo for jamo, key in _KEY_OF.items()}
# Jamo typed as two keys: compound vowels and final consonant clusters.
_PAIRS = {
    "ㅘ": "ㅗㅏ", "ㅙ": "ㅗㅐ", "ㅚ": "ㅗㅣ", "ㅝ": "ㅜㅓ", "ㅞ": "ㅜㅔ", "ㅟ": "ㅜㅣ", "ㅢ": "ㅡㅣ",
    "ㄳ": "ㄱㅅ", "ㄵ": "ㄴㅈ", "ㄶ": "ㄴㅎ", "ㄺ": "ㄹㄱ", "ㄻ": "ㄹㅁ", "ㄼ": "ㄹㅂ", "ㄽ": "ㄹㅅ",
    "ㄾ": "ㄹㅌ", "ㄿ": "ㄹㅍ", "ㅀ": "ㄹㅎ", "ㅄ": "ㅂㅅ",
}  # fmt: skip
_PAIR_OF = {pair: jamo for jamo, pair in _PAIRS.items()}
_INITIALS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_VOWELS = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
_FINALS = " ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ"
_SYLLABLE_BASE = 0xAC00
#: Keys typed with shift on a 2-set keyboard (ㅃㅉㄸㄲㅆㅒㅖ).
SHIFTED = "QWERTOP"
#: Every key a word can be typed with.
KEY_ALPHABET = "abcdefghijklmnopqrstuvwxyz" + SHIFTED


def keystrokes(word: str) -> str | None:
    """The keys typing ``word`` takes on a QWERTY / 2-set keyboard, or ``None`` (other characters).

    Latin letters are their own keys, lower-cased; Hangul is split into jamo and each jamo
    into its keys (강화 -> ``rkdghk``, 없 -> ``djqt``).
    """
    keys = [_char_keys(ch) for ch in word]
    return None if "" in keys else "".join(keys)


@functools.lru_cache(maxsize=None)
def _char_keys(ch: str) -> str:
    """The keys of one character, ``""`` when it has none (a build asks for 11,172 syllables at most)."""
    if "A" <= ch <= "z" and ch.isalpha():
        return ch.lower()
    code = ord(ch) - _SYLLABLE_BASE
    if 0 <= code < 11172:
        ch = _INITIALS[code // 588] + _VOWELS[code % 588 // 28] + _FINALS[code % 28].strip()
    parts = "".join(_PAIRS.get(j, j) for j in ch)
    return "".join(_KEY_OF[part] for part in parts) if all(part in _KEY_OF for part in parts) else ""


def from_keystrokes(keys: str) -> str:
    """The Hangul a 2-set input method makes of ``keys`` (``rkdghk gkrtmq`` -> 강화 학습).

    Keys that are no jamo (digits, spaces, ...) are kept as they are; a lower-case key of a
    shifted jamo (``Q`` -> ㅃ) is read unshifted.
    """
    out: list[str] = []
    initial = vowel = final = ""

    def flush() -> None:
        nonlocal initial, vowel, final
        if initial and vowel:
            out.append(_syllable(initial, vowel, final))
        else:
            out.append(initial + vowel)
        initial = vowel = final = ""

    for key in keys:
        jamo = _JAMO_OF.get(key) or _JAMO_OF.get(key.lower())
        if jamo is None:
            flush()
            out.append(key)
        elif jamo in _VOWELS:
            if initial and vowel and final:  # the final moves on to start the next syllable
                kept, moved = _split_final(final)
                final = kept
                flush()
                initial, vowel = moved, jamo
            elif vowel and not final and vowel + jamo in _PAIR_OF:
                vowel = _PAIR_OF[vowel + jamo]
            elif initial and not vowel:
                vowel = jamo
            else:
                flush()
                vowel = jamo
        elif initial and vowel and not final and jamo in _FINALS:
            final = jamo
        elif initial and vowel and final and final + jamo in _PAIR_OF:
            final = _PAIR_OF[final + jamo]
        else:
            flush()
            initial = jamo
    flush()
    return "".join(out)


def _syllable(initial: str, vowel: str, final: str) -> str:
    code = (_INITIALS.index(initial) * 21 + _VOWELS.index(vowel)) * 28 + (_FINALS.index(final) if final else 0)
    return chr(_SYLLABLE_BASE + code)


def _split_final(final: str) -> tuple[str, str]:
    """A final consonant before a vowel: what stays (the first of a cluster) and what moves on."""
    pair = _PAIRS.get(final)
    return (pair[0], pair[1]) if pair else ("", final)
