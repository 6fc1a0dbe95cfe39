"""What /forgetme deletes from surveys and the care list (issue 16), in one call."""

from __future__ import annotations

from bot.services import Services


async def forget_surveys_and_care(services: Services, person_id: int) -> None:
    """The person's care enrolments go (and they stop being anyone's carer); their own
    survey answers go, and household answers they gave no longer name them."""
    await services.care.forget_person(person_id)
    await services.surveys.forget_person(person_id)
