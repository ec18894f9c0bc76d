"""The crossover signal on price series whose averages are known."""

from src.strategy import signal


def test_too_few_prices_hold():
    assert signal([1.0] * 19) == "hold"


def test_rising_prices_buy_falling_sell_flat_hold():
    assert signal([float(p) for p in range(1, 21)]) == "buy"
    assert signal([float(p) for p in range(20, 0, -1)]) == "sell"
    assert signal([5.0] * 20) == "hold"
