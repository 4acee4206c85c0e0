//! `attrib-sim [--out DIR] [--threads N] [--epochs N] [--seeds N] SCENARIO.toml…`: runs
//! each scenario (each value of its sweep) over its seeds and writes the results under
//! `DIR/<scenario>/` (default `target/sim`). `--epochs`/`--seeds` override the files'.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use attrib_sim::{gas::GasTable, report, run_variant, summarize, variants, write_runs, Scenario};

fn main() -> Result<()> {
    let mut out = PathBuf::from("target/sim");
    let mut threads = 2usize;
    let mut epochs = None;
    let mut seeds = None;
    let mut gas_table = None;
    let mut files = vec![];
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = |name: &str| args.next().with_context(|| format!("{name} needs a value"));
        match a.as_str() {
            "--out" => out = PathBuf::from(val("--out")?),
            "--threads" => threads = val("--threads")?.parse()?,
            "--epochs" => epochs = Some(val("--epochs")?.parse()?),
            "--seeds" => seeds = Some(val("--seeds")?.parse()?),
            "--gas-table" => gas_table = Some(PathBuf::from(val("--gas-table")?)),
            "-h" | "--help" => {
                println!("attrib-sim [--out DIR] [--threads N] [--epochs N] [--seeds N] [--gas-table FILE] SCENARIO.toml...");
                return Ok(());
            }
            f if f.starts_with("--") => bail!("unknown flag {f}"),
            f => files.push(PathBuf::from(f)),
        }
    }
    if files.is_empty() {
        bail!("no scenario file given (try packages/attrib-sim/scenarios/*.toml)");
    }
    let gas = match gas_table {
        Some(p) => GasTable::parse(&std::fs::read_to_string(&p)?)?,
        None => GasTable::snapshot(),
    };
    for f in files {
        let text = std::fs::read_to_string(&f).with_context(|| format!("reading {}", f.display()))?;
        let mut sc = Scenario::parse(&text).with_context(|| format!("{}", f.display()))?;
        if let Some(e) = epochs {
            sc.epochs = e;
        }
        if let Some(s) = seeds {
            sc.seeds = s;
        }
        let dir = out.join(&sc.name);
        let mut summaries = vec![];
        for v in variants(&sc)? {
            eprintln!(
                "{}: {} seeds × {} epochs, {} agents",
                v.label,
                v.scenario.seeds,
                v.scenario.epochs,
                v.scenario.agents()
            );
            let (runs, secs) =
                run_variant(&v, &gas, threads).map_err(|e| anyhow::anyhow!("{}: {e}", v.label))?;
            let vdir = if sc.sweep.is_some() {
                dir.join(v.label.replace(['=', '/'], "_"))
            } else {
                dir.clone()
            };
            write_runs(&vdir, &v, &runs)?;
            let s = summarize(&v, &runs, secs);
            eprintln!(
                "  {:.1} s, {} agent-steps ({:.0}/s), {} messages",
                s.wall_secs, s.agent_steps, s.agent_steps_per_sec, s.messages
            );
            let mut phases: Vec<(&String, &f64)> = s.phase_secs.iter().collect();
            phases.sort_by(|a, b| b.1.total_cmp(a.1));
            let top: Vec<String> = phases
                .iter()
                .take(10)
                .map(|(k, v)| format!("{k} {v:.1}"))
                .collect();
            eprintln!("  seconds by phase (all seeds): {}", top.join(", "));
            summaries.push(s);
        }
        std::fs::create_dir_all(&dir)?;
        std::fs::write(
            dir.join("summary.json"),
            serde_json::to_string_pretty(&summaries)?,
        )?;
        std::fs::write(dir.join("report.md"), report(&sc, &summaries))?;
        eprintln!("wrote {}", dir.display());
    }
    Ok(())
}
