"""The four X12 delimiters, as found in (or written to) the ISA header."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Delimiters:
    """Element separator, repetition separator (ISA11), component separator (ISA16) and segment
    terminator (the character after ISA16)."""

    element: str = "*"
    repetition: str = "^"
    component: str = ":"
    segment: str = "~"

    def problems(self) -> list[str]:
        """Why these delimiters cannot work (empty when they can)."""
        out: list[str] = []
        chars = (self.element, self.repetition, self.component, self.segment)
        for name, ch in zip(("element", "repetition", "component", "segment"), chars, strict=True):
            if len(ch) != 1:
                out.append(f"the {name} separator must be one character, not {ch!r}")
            elif ch.isalnum() or ch == " ":
                out.append(f"the {name} separator {ch!r} is a letter, digit or space")
        if len(set(chars)) != 4:
            out.append("the four delimiters are not all different")
        return out


DEFAULT_DELIMITERS = Delimiters()
