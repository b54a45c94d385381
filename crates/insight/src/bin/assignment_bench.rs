//! Times [`trellis_insight::assignment::maximise`] on a score matrix read from a file of
//! little-endian `f64`s (row-major), as `benches/assignment.sh` writes it for both tools.
//! Usage: `assignment-bench FILE ROWS COLS`. Prints the total score and the solve time.

use std::time::Instant;
use trellis_insight::assignment::{Scores, maximise};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 4 {
        eprintln!("usage: assignment-bench FILE ROWS COLS");
        std::process::exit(2);
    }
    let rows: usize = args[2].parse().expect("ROWS is a number");
    let cols: usize = args[3].parse().expect("COLS is a number");
    let bytes = std::fs::read(&args[1]).unwrap_or_else(|e| {
        eprintln!("cannot read {}: {e}", args[1]);
        std::process::exit(1);
    });
    assert_eq!(
        bytes.len(),
        rows * cols * 8,
        "the file holds ROWS × COLS f64 values"
    );
    let values: Vec<f64> = bytes
        .chunks_exact(8)
        .map(|b| f64::from_le_bytes(b.try_into().unwrap_or_default()))
        .collect();
    let scores = Scores::from_values(rows, cols, values);
    let started = Instant::now();
    let assignment = maximise(&scores);
    let seconds = started.elapsed().as_secs_f64();
    println!("total {:.6} seconds {seconds:.4}", assignment.total);
}
