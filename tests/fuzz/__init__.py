"""The project's own fuzzing: byte-level mutants of the synthetic corpus of every source form, crafted
pathological inputs for every crash class of issue 17, and the mutation oracle against synthetic truth.

`python -m tests.fuzz.campaign` (`make fuzz`) runs the campaign; tests/test_fuzz*.py and
tests/test_hostile_*.py run the fast tier.
"""
