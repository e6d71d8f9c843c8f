"""Reference curves for Tests/BPXTests: PyBaMM 26.10.1.1 + bpx 1.1.1 (pip install pybamm bpx).

    python3 make_pybamm_reference.py        # in Tests/BPXTests/Fixtures, writes nmc_pouch_<model>_<rate>.csv

Cell: nmc_pouch_cell_BPX.json (About:Energy NMC111|graphite 12.5 Ah, BPX 0.1.0), read with
pybamm.ParameterValues.create_from_bpx. Isothermal at 298.15 K, constant-current discharge to the
lower cut-off 2.7 V.

100 % SOC: the file's stoichiometry limits (BPX's definition, and CellSim's default on import):
x = Maximum stoichiometry (negative) = 0.75668, y = Minimum stoichiometry (positive) = 0.42424, set as
the initial particle concentrations x*c_max, y*c_max (PyBaMM's own default, set_initial_state(1)
with the cut-offs as OCV limits, starts at x = 0.755752, y = 0.424905 instead).

Converged discretisation: 200 cells per particle, 50 per x-region (SPMe), IDAKLU rtol 1e-8, atol 1e-10.
"""
import numpy as np
import pybamm

BPX = "nmc_pouch_cell_BPX.json"

def run(model_name, c_rate, dt):
    pv = pybamm.ParameterValues.create_from_bpx(BPX)
    x100, y100 = 0.75668, 0.42424
    pv["Initial concentration in negative electrode [mol.m-3]"] = x100 * 29730
    pv["Initial concentration in positive electrode [mol.m-3]"] = y100 * 46200
    pv["Current function [A]"] = 12.5 * c_rate
    model = {"SPM": pybamm.lithium_ion.SPM, "SPMe": pybamm.lithium_ion.SPMe}[model_name]()
    var_pts = {"x_n": 50, "x_s": 50, "x_p": 50, "r_n": 200, "r_p": 200}
    solver = pybamm.IDAKLUSolver(rtol=1e-8, atol=1e-10)
    sim = pybamm.Simulation(model, parameter_values=pv, var_pts=var_pts, solver=solver)
    t_end = 1.3 * 3600 / c_rate
    sol = sim.solve([0, t_end], t_interp=np.arange(0, t_end, dt))
    t = sol["Time [s]"].entries
    v = sol["Terminal voltage [V]"].entries
    q = sol["Discharge capacity [A.h]"].entries
    name = f"nmc_pouch_{model_name}_{'1C' if c_rate == 1 else 'C20'}.csv"
    with open(name, "w") as f:
        f.write("time_s,voltage_V,discharge_capacity_Ah\n")
        for a, b, c in zip(t, v, q):
            f.write(f"{a:.6f},{b:.9f},{c:.9f}\n")
    print(name, len(t), t[-1], v[0], v[-1])

for m in ["SPM", "SPMe"]:
    run(m, 1.0, 10.0)
    run(m, 0.05, 100.0)
