//! Times the influence metrics of [`trellis_insight::graph`] on files `benches/influence.sh`
//! writes for both Trellis and igraph: `managers.i32` (each person's manager, -1 for none),
//! `advice.u32` (seeker, adviser pairs), `pivots.u32`, and `small.u32` (the pairs of a
//! 10,000-person interaction graph for exact betweenness). Usage: `graph-bench DIR`.
//! Prints one line per figure (`name seconds`) and writes `pagerank.f64`,
//! `partial.f64`, `exact.f64` and `counts.u32` to DIR for the comparison.

use std::time::Instant;
use trellis_insight::graph::{
    Line, Undirected, advice_counts, advice_edges, betweenness, pagerank, sampled_betweenness,
};

fn read_u32(path: &std::path::Path) -> Vec<u32> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| {
        eprintln!("cannot read {}: {e}", path.display());
        std::process::exit(1);
    });
    bytes
        .chunks_exact(4)
        .map(|b| u32::from_le_bytes(b.try_into().unwrap_or_default()))
        .collect()
}

fn pairs(flat: &[u32]) -> Vec<(u32, u32)> {
    flat.chunks_exact(2).map(|p| (p[0], p[1])).collect()
}

fn write_f64(path: std::path::PathBuf, values: &[f64]) {
    let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    std::fs::write(path, bytes).expect("write results");
}

fn main() {
    let Some(dir) = std::env::args().nth(1).map(std::path::PathBuf::from) else {
        eprintln!("usage: graph-bench DIR");
        std::process::exit(2);
    };
    let managers: Vec<Option<u32>> = read_u32(&dir.join("managers.i32"))
        .into_iter()
        .map(|m| (m != u32::MAX).then_some(m))
        .collect();
    let n = managers.len();
    let ties = pairs(&read_u32(&dir.join("advice.u32")));
    let pivots = read_u32(&dir.join("pivots.u32"));
    let small = pairs(&read_u32(&dir.join("small.u32")));

    let started = Instant::now();
    let edges = advice_edges(&ties);
    let line = Line::new(&managers);
    let counts = advice_counts(n, &edges, &line);
    println!(
        "influence_outside_line {:.4} ({} people, {} ties, {} distinct)",
        started.elapsed().as_secs_f64(),
        n,
        ties.len(),
        edges.len()
    );

    let started = Instant::now();
    let rank = pagerank(n, &edges);
    println!("pagerank {:.4}", started.elapsed().as_secs_f64());

    let graph = Undirected::new(n, &edges);
    let started = Instant::now();
    let sampled = sampled_betweenness(&graph, &pivots);
    println!(
        "sampled_betweenness {:.4} ({} pivots)",
        started.elapsed().as_secs_f64(),
        pivots.len()
    );

    let small_n = small
        .iter()
        .map(|&(a, b)| a.max(b))
        .max()
        .map_or(0, |m| m as usize + 1);
    let small_graph = Undirected::new(small_n, &small);
    let started = Instant::now();
    let exact = betweenness(&small_graph);
    println!(
        "exact_betweenness {:.4} ({} people)",
        started.elapsed().as_secs_f64(),
        small_n
    );

    write_f64(dir.join("pagerank.f64"), &rank);
    write_f64(dir.join("partial.f64"), &sampled.partial);
    write_f64(dir.join("exact.f64"), &exact);
    let flat: Vec<u8> = counts
        .iter()
        .flat_map(|(all, outside)| [all.to_le_bytes(), outside.to_le_bytes()])
        .flatten()
        .collect();
    std::fs::write(dir.join("counts.u32"), flat).expect("write counts");
}
