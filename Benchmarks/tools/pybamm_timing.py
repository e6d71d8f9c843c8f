# Times PyBaMM's warm SPM and SPMe solves of the Chen2020 1C discharge (its default mesh and IDAKLU
# solver), for the side-by-side in docs/performance.md. Optional development tool: not part of the
# build or of CI.   pip install pybamm==26.10.1.1 && python3 Benchmarks/tools/pybamm_timing.py
import time
import pybamm

for name, model in [("SPM", pybamm.lithium_ion.SPM()), ("SPMe", pybamm.lithium_ion.SPMe())]:
    sim = pybamm.Simulation(model, parameter_values=pybamm.ParameterValues("Chen2020"),
                            solver=pybamm.IDAKLUSolver())
    sim.solve([0, 3700], initial_soc=1.0)  # build and first solve
    times = []
    for _ in range(30):
        start = time.perf_counter()
        solution = sim.solver.solve(sim.built_model, [0, 3700])
        times.append(time.perf_counter() - start)
    times.sort()
    print(f"PyBaMM {name} 1C warm solve: median {times[len(times) // 2] * 1e3:.3f} ms, end {solution.t[-1]:.1f} s")
