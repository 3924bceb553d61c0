"""The card adapter's errors: one base, specific subclasses carrying the fields that explain them.

``card/`` raises ``CardError`` subclasses and never lets pyscard's or python-pkcs11's exceptions
escape (STYLE.md example 6); the CLI prints their messages. PDPA: no message names a citizen
ID, a name, an address or a photo: a mismatch says *that* two cards differ, never what they hold.
"""

from __future__ import annotations


class CardError(Exception):
    """Base of every error the card adapter raises on purpose."""


class NoReaderError(CardError):
    """The PC/SC service has no reader by that name (or no reader at all, or is not running)."""

    def __init__(self, wanted: str | None, available: list[str], detail: str = "") -> None:
        if wanted is None:
            message = "no smart-card reader is connected"
        else:
            listed = ", ".join(repr(name) for name in available) or "none"
            message = f"no smart-card reader named {wanted!r} (readers: {listed})"
        super().__init__(f"{message}{': ' + detail if detail else ''}")
        self.wanted = wanted
        self.available = available


class PcscUnavailableError(NoReaderError):
    """The PC/SC daemon (pcscd) does not answer, so no reader can be listed."""

    def __init__(self, detail: str) -> None:
        CardError.__init__(self, f"the PC/SC service (pcscd) is not available: {detail}")
        self.wanted = None
        self.available = []


class NoCardError(CardError):
    """The reader is there but no card was inserted within the timeout."""

    def __init__(self, reader: str, timeout: float) -> None:
        super().__init__(f"no card in reader {reader!r} (waited {timeout:g} s)")
        self.reader = reader
        self.timeout = timeout


class CardStillPresentError(CardError):
    """A card was expected to be taken out of the reader, and was not within the timeout."""

    def __init__(self, reader: str, timeout: float) -> None:
        super().__init__(f"the card was not removed from reader {reader!r} within {timeout:g} s")
        self.reader = reader
        self.timeout = timeout


class CardRemovedError(CardError):
    """The card left the reader (or lost power) in the middle of an exchange."""

    def __init__(self, reader: str, during: str) -> None:
        super().__init__(
            f"the card was removed from reader {reader!r} during {during}; "
            "insert it again and repeat"
        )
        self.reader = reader
        self.during = during


class CardCommunicationError(CardError):
    """The reader or the PC/SC service failed to exchange an APDU, and the card is still in."""

    def __init__(self, reader: str, during: str, detail: str) -> None:
        super().__init__(f"reader {reader!r} failed during {during}: {detail}")
        self.reader = reader
        self.during = during
        self.detail = detail


class UnexpectedStatusError(CardError):
    """The card answered a command with a status word other than success."""

    def __init__(self, command: str, sw: int, meaning: str) -> None:
        super().__init__(
            f"{command} failed: the card answered SW {sw >> 8:02X} {sw & 0xFF:02X} ({meaning})"
        )
        self.command = command
        self.sw = sw
        self.meaning = meaning


class WrongCardError(CardError):
    """The card in the reader does not hold the applet asked for (not a Thai ID card, say)."""

    def __init__(self, reader: str, applet: str) -> None:
        super().__init__(f"the card in reader {reader!r} has no {applet} applet")
        self.reader = reader
        self.applet = applet


class CardDataError(CardError):
    """The card answered, but a field does not have the form the layout says it has."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"the card's {field} is unreadable: {problem}")
        self.field = field
        self.problem = problem


class InvalidCitizenIdError(CardDataError):
    """The citizen ID on the card is not 13 digits with a valid check digit."""

    def __init__(self) -> None:
        super().__init__("citizen ID", "it fails the 13-digit checksum")


class TruncatedPhotoError(CardDataError):
    """The photo came back shorter than its field, or the JPEG has no end marker."""

    def __init__(self, received: int, expected: int, detail: str = "") -> None:
        why = detail or f"{received} of {expected} bytes arrived"
        super().__init__("photo", f"the photo is truncated ({why})")
        self.received = received
        self.expected = expected


class ExpiredCardError(CardError):
    """The ID card's expiry date has passed: it no longer identifies anyone for enrolment."""

    def __init__(self, expired_on: str) -> None:
        super().__init__(f"the ID card expired on {expired_on}; ask for a valid card")
        self.expired_on = expired_on


class WrongPinError(CardError):
    """The token refused the PIN; ``retries_left`` says how many tries remain (None: unknown)."""

    def __init__(self, pin: str, retries_left: int | None) -> None:
        left = "" if retries_left is None else f"; {retries_left} tries left before it blocks"
        super().__init__(f"wrong {pin}{left}")
        self.pin = pin
        self.retries_left = retries_left


class PinBlockedError(CardError):
    """Too many wrong PINs: the token refuses every try until the PIN is reset."""

    def __init__(self, pin: str) -> None:
        super().__init__(f"the {pin} is blocked after too many wrong tries; have it reset")
        self.pin = pin


class TokenError(CardError):
    """A signing token (PKCS#11 module, OpenPGP card) cannot do what was asked."""


class NoSigningKeyError(TokenError):
    """The token holds no signing key yet (generate one at enrolment)."""

    def __init__(self, token: str) -> None:
        super().__init__(f"{token} holds no signing key; enrol it first")
        self.token = token


class CardPresenceError(CardError):
    """The ID card in the reader is not the one the signing key was enrolled for."""

    def __init__(self, reader: str) -> None:
        super().__init__(
            f"the ID card in reader {reader!r} does not belong to the citizen ID this key was "
            "enrolled for; nothing was signed"
        )
        self.reader = reader


class IdentityMismatchError(CardError):
    """Two things that must name the same person do not (the card and the request, say)."""

    def __init__(self, what: str) -> None:
        super().__init__(f"identity mismatch: {what}; nothing was enrolled")
        self.what = what


class EnrolmentRequestError(CardError):
    """An enrolment request is malformed, or its proof of possession does not verify."""

    def __init__(self, problem: str) -> None:
        super().__init__(f"enrolment request refused: {problem}")
        self.problem = problem
