use super::*;

#[test]
fn skills_are_normalised_and_deduplicated() {
    assert_eq!(
        clean_skills(&["SQL, Rust".into(), " rust ".into(), "".into()]),
        ["rust", "sql"]
    );
}

#[test]
fn effort_must_be_positive_and_sane() {
    let mut errors = Vec::new();
    check_hours(&mut errors, "effort_hours", Some(-2.0));
    check_hours(&mut errors, "effort_hours", Some(5000.0));
    check_hours(&mut errors, "effort_hours", Some(f64::NAN));
    assert_eq!(errors.len(), 3);
    assert!(errors[1].message.contains("split it"));
    let mut errors = Vec::new();
    assert_eq!(check_hours(&mut errors, "effort_hours", Some(0.5)), 0.5);
    assert!(errors.is_empty());
}

/// Service-level tests of the cancellation rule against the in-memory store: what the
/// unit of work writes, and that a refused change writes nothing.
mod cancelling {
    use super::*;
    use crate::testing::{FakeStore, commitment, noon, viewer};

    // Mia manages Dana and Devi; Dana owns the work Mia asked for, due 1 November.
    fn org() -> FakeStore {
        let store = FakeStore::with_people(&[
            (1, "Mia Manager", None),
            (2, "Dana Dev", Some(1)),
            (3, "Devi Dev", Some(1)),
        ]);
        store.add_commitment(commitment(
            10,
            "Port the billing job",
            (2, "Dana Dev"),
            Some((1, "Mia Manager")),
            "2026-11-01",
        ));
        store
    }

    fn stored(store: &FakeStore) -> Commitment {
        store.commitments.lock().unwrap()[&CommitmentId(10)].clone()
    }

    #[tokio::test]
    async fn an_owner_who_cancels_after_the_agreed_date_still_counts_it_as_not_delivered() {
        let store = org();
        let late = noon("2026-11-10");
        set_status(
            &store,
            &viewer(2, 0),
            CommitmentId(10),
            CommitmentStatus::Cancelled,
            "no time",
            late,
        )
        .await
        .unwrap();
        let c = stored(&store);
        assert_eq!(c.status, CommitmentStatus::Cancelled);
        assert!(c.cancel_counts, "an owner's own late cancellation counts");
        assert_eq!(
            store.committed(),
            [
                "update_commitment 10 cancelled (1 history lines)",
                "audit commitment.cancel"
            ],
            "the change and its audit line, in one unit of work"
        );
    }

    #[tokio::test]
    async fn the_manager_cancelling_late_takes_it_out_of_the_record() {
        let store = org();
        set_status(
            &store,
            &viewer(1, 2),
            CommitmentId(10),
            CommitmentStatus::Cancelled,
            "priorities moved",
            noon("2026-11-10"),
        )
        .await
        .unwrap();
        assert!(!stored(&store).cancel_counts);
        assert_eq!(store.committed().len(), 2);
    }

    #[tokio::test]
    async fn a_teammate_may_not_cancel_and_a_reason_is_required_and_nothing_is_written() {
        let store = org();
        let peer = set_status(
            &store,
            &viewer(3, 0),
            CommitmentId(10),
            CommitmentStatus::Cancelled,
            "mine now",
            noon("2026-11-10"),
        )
        .await;
        assert!(matches!(peer, Err(CoreError::Forbidden(_))), "{peer:?}");
        let silent = set_status(
            &store,
            &viewer(2, 0),
            CommitmentId(10),
            CommitmentStatus::Cancelled,
            "  ",
            noon("2026-11-10"),
        )
        .await;
        assert!(
            matches!(&silent, Err(CoreError::Invalid(f)) if f[0].field == "note"),
            "{silent:?}"
        );
        assert_eq!(stored(&store).status, CommitmentStatus::Open);
        assert!(store.committed().is_empty());
    }

    #[tokio::test]
    async fn moving_the_date_before_it_passes_renegotiates_it_and_after_does_not() {
        let store = org();
        let day = |d: &str| d.parse::<NaiveDate>().unwrap();
        renegotiate(
            &store,
            &viewer(2, 0),
            CommitmentId(10),
            Some(day("2026-11-20")),
            "",
            noon("2026-10-25"),
        )
        .await
        .unwrap();
        assert_eq!(
            stored(&store).agreed_due_date,
            day("2026-11-20"),
            "moved in time: the new agreement"
        );
        renegotiate(
            &store,
            &viewer(2, 0),
            CommitmentId(10),
            Some(day("2026-12-15")),
            "",
            noon("2026-11-25"),
        )
        .await
        .unwrap();
        let c = stored(&store);
        assert_eq!(c.due_date, day("2026-12-15"));
        assert_eq!(
            c.agreed_due_date,
            day("2026-11-20"),
            "moved after it passed: still late"
        );
    }
}
