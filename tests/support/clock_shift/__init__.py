"""Test runs with a moved clock (``--clock-shift``, ``PIKA_TEST_CLOCK_SHIFT``): see moved_clock."""
