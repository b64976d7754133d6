"""``learnplan check``: a plan's courses and totals, its capacity and, when it is over, a
trim that fits. Every figure is written as the panel and the report write it
(:mod:`learnplan.figures.format`)."""

from __future__ import annotations

import argparse

from learnplan.cli.exits import EXIT_OK
from learnplan.cli.inputs import read_plan
from learnplan.figures import format as fmt
from learnplan.model.plan import Plan


def cmd_check(args: argparse.Namespace) -> int:
    plan = read_plan(args.plan, assign_ids=True, start=args.start)
    print(format_check(plan))
    missing = sum(1 for c in plan.courses for card in c.cards if card.new_key)
    if missing:
        print(f"\n{missing} cards have no id yet; `learnplan build` will assign and write them.")
    return EXIT_OK


def format_check(plan: Plan) -> str:
    """The table ``learnplan check`` prints for ``plan``."""
    from learnplan.cards.cloze import anki_card_count

    headers = ("Provider", "Course", "FTE", "Cost", "Lessons", "Notes", "Cards")
    rows: list[tuple[str, ...]] = [
        (
            c.provider,
            c.title,
            fmt.points(c.fte),
            fmt.money(c.cost, plan.currency) if c.cost else "",
            str(len(c.lessons)),
            str(len(c.cards)),
            str(sum(anki_card_count(card) for card in c.cards)),
        )
        for c in plan.courses
    ]
    rows += [
        (r.provider, r.title, "", fmt.money(r.cost, plan.currency), "", "", "")
        for r in plan.resources
    ]
    footer = (
        "",
        "Total",
        fmt.points(plan.total_fte),
        fmt.money(plan.total_cost, plan.currency),
        str(sum(len(c.lessons) for c in plan.courses)),
        str(sum(len(c.cards) for c in plan.courses)),
        str(sum(anki_card_count(card) for c in plan.courses for card in c.cards)),
    )
    title_width = min(60, max(len(headers[1]), *(len(r[1]) for r in rows)) if rows else 10)
    widths = [max(len(h), *(len(r[i]) for r in [*rows, footer])) for i, h in enumerate(headers)]
    widths[1] = title_width

    def line(cells: tuple[str, ...]) -> str:
        out = []
        for i, cell in enumerate(cells):
            if i == 1:
                cell = fmt.shorten(cell, title_width)
            out.append(cell.rjust(widths[i]) if i >= 2 else cell.ljust(widths[i]))
        return "  ".join(out).rstrip()

    rule = "  ".join("-" * w for w in widths)
    lines = [
        f"{plan.title} ({plan.id}): {plan.weeks} weeks from {fmt.day(plan.start)}, "
        f"{fmt.hours(plan.hours_per_week)}/week, {fmt.hours(plan.hours_per_point)} per FTE point",
        "",
        line(headers),
        rule,
        *(line(r) for r in rows),
        rule,
        line(footer),
        "Notes are the cards you wrote; Cards, the Anki cards they make.",
        "",
        f"Capacity: {fmt.points(plan.capacity)} points ({plan.weeks} weeks × "
        f"{fmt.hours(plan.hours_per_week)} / {fmt.hours(plan.hours_per_point)} per point)",
        _fits(plan),
    ]
    if plan.overcommitment > 1:
        from learnplan.progress.maths import suggest_trim, trim_value

        trim = suggest_trim(plan)
        lines.append(
            f"The plan is {fmt.points(plan.total_fte - plan.capacity)} points over capacity. "
            "A proportional trim that fits:"
        )
        for course in plan.courses:
            if course.id in trim:
                # As the panel shows and applies it: rounded down, so that it really fits.
                now, suggested = fmt.points(course.fte), fmt.points(trim_value(trim[course.id]))
                lines.append(f"  {fmt.shorten(course.title, 50):<50}  {now} -> {suggested}")
    return "\n".join(lines)


def _fits(plan: Plan) -> str:
    """How the plan's points compare with its capacity, in words."""
    if plan.overcommitment > 1:
        return f"Overcommitment: {fmt.times(plan.overcommitment)}"
    spare = plan.capacity - plan.total_fte
    if spare < 0.05:
        return f"The plan fits its capacity exactly ({fmt.times(plan.overcommitment)})."
    return (
        f"The plan fits: {fmt.points(plan.total_fte)} of {fmt.points(plan.capacity)} points "
        f"({fmt.percent(plan.overcommitment)} of capacity), {fmt.points(spare)} points to spare."
    )
