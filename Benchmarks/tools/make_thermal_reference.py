#!/usr/bin/env python3
"""Thermal reference curves for CellSim's lumped thermal model (Tests/LithiumIonTests/Fixtures/).

PyBaMM 26.10.1.1, lithium-ion SPMe with options {"thermal": "lumped"} (all other options default),
parameter set "Chen2020" as shipped by PyBaMM (its heat capacity includes the copper and aluminium
current collectors), 100 % initial SOC, initial and ambient temperature 298.15 K unless a step says
otherwise. Fine uniform mesh (200 cells per particle, 50 per x-region), IDAKLU solver with rtol 1e-8,
atol 1e-10, rows every 10 s plus each step's exact end.

    python3 Benchmarks/tools/make_thermal_reference.py [output-directory]

Writes Chen2020_SPMe_lumped_<case>.csv (and Chen2020_SPM_lumped_1C.csv, the SPM with the same options)
with the columns
    time_s, step, current_A, voltage_V, discharge_capacity_Ah, ocv_surf_V, temperature_K,
    ambient_K, total_heating_W, cooling_W
(current > 0 on discharge; cooling_W = h·A_cool·(T − T_amb) > 0 when the cell loses heat) and prints the
check that PyBaMM's "Total heating [W]" equals I·(U_surf − V) − I·T·dU/dT (the identity CellSim uses).
The script is not a dependency of the project: only its CSV output is committed.
"""
import sys

import numpy as np
import pybamm

OUT = sys.argv[1] if len(sys.argv) > 1 else "Tests/LithiumIonTests/Fixtures"
CASES = {
    "1C": ["Discharge at 1C until 2.5 V"],
    "2C": ["Discharge at 2C until 2.5 V"],
    # Per-step ambient: 20 min at 1C in a 25 °C chamber, then 20 min rest and the rest of the discharge
    # at 45 °C (the cell temperature is continuous across the steps).
    "ambient_step": [
        pybamm.step.string("Discharge at 1C for 20 minutes", temperature="25oC", period="10 seconds"),
        pybamm.step.string("Rest for 20 minutes", temperature="45oC", period="10 seconds"),
        pybamm.step.string("Discharge at 1C until 2.5 V", temperature="45oC", period="10 seconds"),
    ],
}


def run(name, steps, model_name="SPMe"):
    model = getattr(pybamm.lithium_ion, model_name)({"thermal": "lumped"})
    params = pybamm.ParameterValues("Chen2020")
    experiment = pybamm.Experiment(steps, period="10 seconds")
    var_pts = {"x_n": 50, "x_s": 50, "x_p": 50, "r_n": 200, "r_p": 200}
    solver = pybamm.IDAKLUSolver(rtol=1e-8, atol=1e-10)
    sim = pybamm.Simulation(model, parameter_values=params, experiment=experiment, var_pts=var_pts, solver=solver)
    sol = sim.solve(initial_soc=1)
    h = params["Total heat transfer coefficient [W.m-2.K-1]"]
    area = params["Cell cooling surface area [m2]"]
    rows = []
    check = 0.0
    for k, step in enumerate(sol.cycles):
        for sub in step.steps:
            t = sub["Time [s]"].entries
            current = sub["Current [A]"].entries
            voltage = sub["Voltage [V]"].entries
            q = sub["Discharge capacity [A.h]"].entries
            ocv = sub["Surface open-circuit voltage [V]"].entries
            temp = sub["Volume-averaged cell temperature [K]"].entries
            amb = sub["Volume-averaged ambient temperature [K]"].entries
            heat = sub["Total heating [W]"].entries
            heat = heat if heat.ndim == 1 else heat.mean(axis=0)
            # Chen2020 has dU/dT = 0 in both electrodes, so the reversible heat is zero.
            identity = current * (ocv - voltage)
            check = max(check, float(np.max(np.abs(heat - identity))))
            for i in range(len(t)):
                if rows and abs(t[i] - rows[-1][0]) < 1e-9:
                    rows.pop()  # a step's first row repeats the previous step's last
                rows.append(
                    (t[i], k, current[i], voltage[i], q[i], ocv[i], temp[i], amb[i], heat[i], h * area * (temp[i] - amb[i]))
                )
    path = f"{OUT}/Chen2020_{model_name}_lumped_{name}.csv"
    with open(path, "w") as f:
        f.write(
            "time_s,step,current_A,voltage_V,discharge_capacity_Ah,ocv_surf_V,temperature_K,ambient_K,total_heating_W,cooling_W\n"
        )
        for r in rows:
            f.write(",".join(f"{v:.12g}" for v in r) + "\n")
    print(
        f"{name}: {len(rows)} rows, end {rows[-1][0]:.3f} s, T_max {max(r[6] for r in rows):.4f} K, "
        f"max |Q_total - I(U_surf - V)| = {check:.3e} W -> {path}"
    )


if __name__ == "__main__":
    for name, steps in CASES.items():
        run(name, steps)
    run("1C", CASES["1C"], "SPM")
