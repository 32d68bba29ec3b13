import pytest

from app.core.money import format_guaranies


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (0, "₲ 0"),
        (500, "₲ 500"),
        (150000, "₲ 150.000"),
        (1234567, "₲ 1.234.567"),
        (-25000, "-₲ 25.000"),
    ],
)
def test_format(amount: int, text: str) -> None:
    assert format_guaranies(amount) == text


def test_refuses_fractions() -> None:
    with pytest.raises(TypeError):
        format_guaranies(1.5)  # type: ignore[arg-type]
