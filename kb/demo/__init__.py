"""The demo world: an invented CLB and its schools, written as a fact file (`python -m kb.demo.generate`)."""
