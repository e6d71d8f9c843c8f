# Makes the converged PyBaMM SPM reference curves for Marquis2019 and Prada2013 used by
# Tests/LithiumIonTests/SPMOtherSetsTests.swift (development tool; the project does not depend on Python).
#   pip install pybamm==26.10.1.1 && python3 Benchmarks/tools/make_spm_reference.py Tests/LithiumIonTests/Fixtures
# Mesh 200 cells per particle (50 per x-domain), IDAKLU rtol 1e-8 / atol 1e-10, 1C = nominal capacity,
# from 100 % SOC to the set's lower cut-off, rows every 10 s plus the cut-off — as ../shared's Chen2020 curves.
import sys
import pybamm

out = sys.argv[1] if len(sys.argv) > 1 else "."
for name in ["Marquis2019", "Prada2013"]:
    for c_rate in [1, 2]:
        pv = pybamm.ParameterValues(name)
        cutoff = pv["Lower voltage cut-off [V]"]
        sim = pybamm.Simulation(
            pybamm.lithium_ion.SPM(), parameter_values=pv,
            experiment=pybamm.Experiment([f"Discharge at {c_rate}C until {cutoff} V"], period="10 seconds"),
            var_pts={"x_n": 50, "x_s": 50, "x_p": 50, "r_n": 200, "r_p": 200},
            solver=pybamm.IDAKLUSolver(rtol=1e-8, atol=1e-10))
        sol = sim.solve(initial_soc=1.0)
        with open(f"{out}/{name}_SPM_{c_rate}C.csv", "w") as f:
            f.write("time_s,voltage_V,discharge_capacity_Ah\n")
            for t, v, q in zip(sol["Time [s]"].entries, sol["Voltage [V]"].entries,
                               sol["Discharge capacity [A.h]"].entries):
                f.write(f"{float(t)!r},{float(v)!r},{float(q)!r}\n")
