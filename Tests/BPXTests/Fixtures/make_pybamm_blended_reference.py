"""Blended-electrode reference for Tests/BPXTests: PyBaMM 26.10.1.1 + bpx 1.1.1 (pip install pybamm bpx).

    python3 make_pybamm_blended_reference.py   # in Tests/BPXTests/Fixtures, writes nmc_pouch_blended_<model>_1C.csv

Cell: nmc_pouch_cell_BPX_blended_electrode.json (the bpx example: the NMC pouch cell with its positive
electrode split into two populations of the same chemistry, "Large Particles" R = 8 um and "Small
Particles" R = 1 um), read with pybamm.ParameterValues.create_from_bpx, which maps the two populations
to PyBaMM's "Primary:" and "Secondary:" phases; the model gets {"particle phases": ("1", "2")}
(negative: one population, positive: two). Isothermal at 298.15 K, 1C (12.5 A) discharge to 2.7 V.

100 % SOC: the file's stoichiometry limits, as for make_pybamm_reference.py: negative x = 0.75668,
both positive populations at y = 0.42424 (their common Minimum stoichiometry).

Converged discretisation: 200 cells per particle (each population), 50 per x-region (SPMe), IDAKLU
rtol 1e-8, atol 1e-10.
"""
import numpy as np
import pybamm

BPX = "nmc_pouch_cell_BPX_blended_electrode.json"


def run(model_name, c_rate, dt):
    pv = pybamm.ParameterValues.create_from_bpx(BPX)
    x100, y100 = 0.75668, 0.42424
    pv["Initial concentration in negative electrode [mol.m-3]"] = x100 * 29730
    pv["Primary: Initial concentration in positive electrode [mol.m-3]"] = y100 * 46200
    pv["Secondary: Initial concentration in positive electrode [mol.m-3]"] = y100 * 46200
    pv["Current function [A]"] = 12.5 * c_rate
    options = {"particle phases": ("1", "2")}
    model = {"SPM": pybamm.lithium_ion.SPM, "SPMe": pybamm.lithium_ion.SPMe}[model_name](options)
    var_pts = {"x_n": 50, "x_s": 50, "x_p": 50, "r_n": 200, "r_p": 200, "r_p_prim": 200, "r_p_sec": 200}
    solver = pybamm.IDAKLUSolver(rtol=1e-8, atol=1e-10)
    sim = pybamm.Simulation(model, parameter_values=pv, var_pts=var_pts, solver=solver)
    t_end = 1.3 * 3600 / c_rate
    sol = sim.solve([0, t_end], t_interp=np.arange(0, t_end, dt))
    t = sol["Time [s]"].entries
    v = sol["Terminal voltage [V]"].entries
    q = sol["Discharge capacity [A.h]"].entries
    name = f"nmc_pouch_blended_{model_name}_{'1C' if c_rate == 1 else 'C20'}.csv"
    with open(name, "w") as f:
        f.write("time_s,voltage_V,discharge_capacity_Ah\n")
        for a, b, c in zip(t, v, q):
            f.write(f"{a:.6f},{b:.9f},{c:.9f}\n")
    print(name, len(t), t[-1], v[0], v[-1])


for m in ["SPM", "SPMe"]:
    run(m, 1.0, 10.0)
