"""The half year: planner, FCFS baseline, scenarios, synthetic streams, benchmarks."""
