"""The shape every benchmark reports its figures in, for bench/run.py's report: a list of
{name, unit, target, before, value, met}, where `before` is what issue 12 measured before
the change and `met` whether the target is reached (None: no target)."""


def figure(
    name: str, value, unit: str = "", target: str = "", before: str = "", met: bool | None = None
) -> dict:
    return {
        "name": name,
        "value": value,
        "unit": unit,
        "target": target,
        "before": before,
        "met": met,
    }
