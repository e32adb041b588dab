//! Work units of one screening, counted so that tests can bound the cost of a request without
//! timing it (a timing assertion flakes; a count does not).
//!
//! The counters are thread-local and only advanced at coarse points (a postings list read, a
//! name scored, an edit-distance table filled, a deletion neighbourhood made), so counting
//! costs nothing measurable. `measure` runs a closure and returns what it did.

use std::cell::Cell;

/// What one piece of matching work did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Work {
    /// Characters after Unicode normalisation (NFKC and folding) of the names normalised.
    pub normalised_chars: u64,
    /// Query forms searched (as typed, romanised, syllables, sounds ...).
    pub forms: u64,
    /// Postings entries read by the candidate stage.
    pub postings: u64,
    /// Candidate names scored.
    pub scored: u64,
    /// Query token × name token pairs the scorer could compare.
    pub score_pairs: u64,
    /// Cells of edit-distance tables filled.
    pub edit_cells: u64,
    /// Deletion-neighbourhood keys made for fuzzy matching.
    pub deletion_keys: u64,
}

impl Work {
    /// Every unit added up: the one number a budget is set on.
    pub fn total(&self) -> u64 {
        self.normalised_chars
            + self.forms
            + self.postings
            + self.scored
            + self.score_pairs
            + self.edit_cells
            + self.deletion_keys
    }
}

thread_local! {
    static WORK: Cell<Work> = const { Cell::new(Work {
        normalised_chars: 0,
        forms: 0,
        postings: 0,
        scored: 0,
        score_pairs: 0,
        edit_cells: 0,
        deletion_keys: 0,
    }) };
}

/// Adds to this thread's counters.
pub(crate) fn count(add: impl FnOnce(&mut Work)) {
    WORK.with(|cell| {
        let mut work = cell.get();
        add(&mut work);
        cell.set(work);
    });
}

/// Runs `f` and returns what it did on this thread (nested calls each see their own work).
pub fn measure<R>(f: impl FnOnce() -> R) -> (R, Work) {
    let outer = WORK.with(|cell| cell.replace(Work::default()));
    let result = f();
    let inner = WORK.with(|cell| cell.get());
    WORK.with(|cell| {
        let mut sum = outer;
        sum.normalised_chars += inner.normalised_chars;
        sum.forms += inner.forms;
        sum.postings += inner.postings;
        sum.scored += inner.scored;
        sum.score_pairs += inner.score_pairs;
        sum.edit_cells += inner.edit_cells;
        sum.deletion_keys += inner.deletion_keys;
        cell.set(sum);
    });
    (result, inner)
}
