//! The weekly digest's practical tip: a built-in library written for Trellis, one tip a
//! week for a year for managers and a shorter one for everyone, each filed under a
//! behaviour of the 360 (so a tip can answer a manager's lowest-rated behaviour), plus the
//! tips an organisation's admins add.

use serde::Serialize;

/// Who a tip is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TipAudience {
    /// People with direct reports; filed under the upward 360's behaviours.
    Managers,
    /// Everyone; filed under the peer 360's behaviours.
    Everyone,
}

impl TipAudience {
    pub fn as_str(self) -> &'static str {
        match self {
            TipAudience::Managers => "managers",
            TipAudience::Everyone => "everyone",
        }
    }
    pub fn parse(text: &str) -> Option<TipAudience> {
        match text {
            "managers" => Some(TipAudience::Managers),
            "everyone" => Some(TipAudience::Everyone),
            _ => None,
        }
    }
}

/// One tip: `behaviour` is the 360 behaviour it helps with, word for word.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Tip {
    /// An admin's tip's id; none for a built-in one.
    pub id: Option<i64>,
    pub audience: TipAudience,
    pub behaviour: String,
    pub text: String,
}

const fn m(behaviour: &'static str, text: &'static str) -> (&'static str, &'static str) {
    (behaviour, text)
}

/// For managers: four or five for each behaviour of the upward 360, 52 in all.
const FOR_MANAGERS: [(&str, &str); 52] = [
    m(
        "Makes priorities clear",
        "Name your team's top three priorities in one sentence each, and ask two people to repeat them back. Where their words differ from yours, the priority is not clear yet.",
    ),
    m(
        "Makes priorities clear",
        "When new work arrives, say what it displaces. \"Yes, and this waits\" protects focus better than \"yes\" alone.",
    ),
    m(
        "Makes priorities clear",
        "Order the team's open commitments on the team job view before your weekly meeting, and start the meeting with the top of that list rather than with status updates.",
    ),
    m(
        "Makes priorities clear",
        "Write down one thing the team will deliberately not do this quarter. A named \"not now\" ends more debates than another priority.",
    ),
    m(
        "Makes priorities clear",
        "Ask each report which of their tasks they would drop if they had to drop one. If you disagree with the answer, you have found a priority to explain.",
    ),
    m(
        "Sets realistic deadlines",
        "Before agreeing a date, ask the person doing the work for their estimate first, and say yours afterwards. Anchoring on the manager's number is how dates become wishes.",
    ),
    m(
        "Sets realistic deadlines",
        "Look at delivery reliability for the last three months before committing to a new date: if the team delivers 70 % on time, plan with that, not with 100 %.",
    ),
    m(
        "Sets realistic deadlines",
        "Agree dates with a reason attached (\"by the 12th, because the customer demo is on the 14th\"). People renegotiate early when they know what the date protects.",
    ),
    m(
        "Sets realistic deadlines",
        "Thank the next person who asks to move a date before it passes. Renegotiating in time is the behaviour you want; make it cheap.",
    ),
    m(
        "Balances the workload",
        "Check the workload column on the team job view each Monday. Anyone above 1.2 needs a conversation this week, not at their next 1:1.",
    ),
    m(
        "Balances the workload",
        "When you hand out new work, say who it is not going to and why. Fairness that is visible is believed.",
    ),
    m(
        "Balances the workload",
        "Ask each report what takes more time than it should. Removing one recurring chore often frees more capacity than any reassignment.",
    ),
    m(
        "Balances the workload",
        "Put absences on plates as soon as they are known, so workload figures tell the truth before the week is planned, not after.",
    ),
    m(
        "Delivers as promised",
        "Keep a short list of what you personally promised your team this month, and close each item out loud when it is done.",
    ),
    m(
        "Delivers as promised",
        "If you cannot keep a promise to a report, tell them before they have to ask. A broken promise explained early costs far less trust than one discovered.",
    ),
    m(
        "Delivers as promised",
        "Make your own commitments visible on your plate like everyone else's. A manager who is seen to track their own dates can ask the same of others.",
    ),
    m(
        "Delivers as promised",
        "Promise less in meetings. End each one by repeating only the actions you will really take, with a date.",
    ),
    m(
        "Runs reviews on time",
        "Block two hours in your calendar for each review you write, the week before it is due. Reviews written the night before read like it.",
    ),
    m(
        "Runs reviews on time",
        "Keep a running note per report of specific examples as they happen. At review time you will summarise, not reconstruct.",
    ),
    m(
        "Runs reviews on time",
        "Share the review early enough to discuss it in a 1:1 before it is final. Surprises in a review mean the feedback came too late.",
    ),
    m(
        "Runs reviews on time",
        "Answer 360 requests within a week: your reports' reviews wait on your answers as much as yours wait on theirs.",
    ),
    m(
        "Removes obstacles",
        "End every 1:1 with \"what is slowing you down that I could remove?\" and write the answer down. Act on one before the next 1:1.",
    ),
    m(
        "Removes obstacles",
        "When someone is blocked by another team, make the call yourself rather than forwarding the e-mail. Escalation is part of your job, not theirs.",
    ),
    m(
        "Removes obstacles",
        "Ask what approval your team waits for most often. If it is yours, delegate it or decide faster.",
    ),
    m(
        "Removes obstacles",
        "Look at overdue commitments for a pattern: the same dependency behind three late items is an obstacle worth a meeting.",
    ),
    m(
        "Supports my career",
        "Ask each report where they want to be in two years and update their career plan together. Review it at least twice a year.",
    ),
    m(
        "Supports my career",
        "Name one skill each report is building this quarter and one piece of work that will exercise it.",
    ),
    m(
        "Supports my career",
        "Tell a report what the next career level expects, in the ladder's words, and one concrete thing they already do at that level.",
    ),
    m(
        "Supports my career",
        "Mention a report's good work to someone senior this month, and tell the report you did. Sponsorship is career support people can see.",
    ),
    m(
        "Gives me stretch opportunities",
        "Offer one piece of work that is slightly beyond someone's current level, and say plainly that you expect it to be hard and will help.",
    ),
    m(
        "Gives me stretch opportunities",
        "When a high-visibility task appears, ask \"who would grow most from this?\" before \"who would do it best?\"",
    ),
    m(
        "Gives me stretch opportunities",
        "Let a report present their own work to your manager instead of presenting it for them.",
    ),
    m(
        "Gives me stretch opportunities",
        "Check the stretch suggestions for your team: an opportunity nobody is proposed for is usually one you have not yet offered.",
    ),
    m(
        "Connects me with people",
        "Introduce each report to one person outside the team who is good at something they want to learn. One e-mail, two names, one reason.",
    ),
    m(
        "Connects me with people",
        "Invite a report to a meeting they would not normally attend, and debrief them afterwards on who was who.",
    ),
    m(
        "Connects me with people",
        "Suggest a mentor to someone who has none; the mentor matching page shows who could help with their growth areas.",
    ),
    m(
        "Connects me with people",
        "Encourage your team to take part in connection rounds, and mention the good conversations you had in yours.",
    ),
    m(
        "Coaches rather than micromanages",
        "Next time someone brings you a problem, ask \"what have you considered?\" before offering an answer. Count how often you manage to wait.",
    ),
    m(
        "Coaches rather than micromanages",
        "Agree the outcome and the date, then stay out of the how. Check in at milestones you set together, not whenever you feel anxious.",
    ),
    m(
        "Coaches rather than micromanages",
        "Replace one status meeting with a written update this month and use the time for a coaching conversation instead.",
    ),
    m(
        "Coaches rather than micromanages",
        "When work comes back not the way you would have done it, ask whether it is worse or only different. Correct only what is worse.",
    ),
    m(
        "Explains the direction and why",
        "Start your next team meeting with five minutes on why the team's top objective matters to the organisation, in your own words.",
    ),
    m(
        "Explains the direction and why",
        "When a decision comes from above, share the reasoning you know and say what you do not know. \"I don't know yet, I'll find out\" keeps trust.",
    ),
    m(
        "Explains the direction and why",
        "Link each team objective to the company objective it serves, and show the chain when you hand out work.",
    ),
    m(
        "Explains the direction and why",
        "Ask a report to explain the team's direction to a new joiner, and listen. Their version shows what you have really communicated.",
    ),
    m(
        "Develops future leaders",
        "Let someone run your team meeting for a month, with a short debrief after each one.",
    ),
    m(
        "Develops future leaders",
        "Identify who could take your role in two years and tell them what they would need to learn. Then give them a piece of it now.",
    ),
    m(
        "Develops future leaders",
        "Ask a senior report to mentor a junior one and check in with both after a month on what each learned.",
    ),
    m(
        "Develops future leaders",
        "Share one hard management decision with a high-potential report: the options, the trade-off and why you chose as you did.",
    ),
    m(
        "Develops future leaders",
        "Before your next absence, delegate a decision you would normally keep, and support the result even if you would have chosen differently.",
    ),
    m(
        "Supports my career",
        "In each 1:1 this month, spend the last ten minutes on the person's growth, not on the work.",
    ),
    m(
        "Balances the workload",
        "When someone takes on a stretch assignment, take something off their plate in the same conversation. Stretch on top of a full load is just overload.",
    ),
];

/// For everyone: two for each behaviour of the peer 360.
const FOR_EVERYONE: [(&str, &str); 12] = [
    m(
        "Delivers as promised",
        "Write down each promise you make this week with a date, even small ones. Most broken promises are forgotten, not refused.",
    ),
    m(
        "Delivers as promised",
        "If a date is slipping, tell the person waiting before it passes and offer a new one. Moving a date in time keeps trust.",
    ),
    m(
        "Keeps others informed",
        "Send a three-line update on your main piece of work to everyone it affects: what is done, what is next, what could go wrong.",
    ),
    m(
        "Keeps others informed",
        "When you change a plan, tell the people who were relying on the old one first, before they hear it elsewhere.",
    ),
    m(
        "Sets realistic deadlines",
        "Before giving a date, list the steps and add up the time honestly, then add a margin for the things you cannot see yet.",
    ),
    m(
        "Sets realistic deadlines",
        "Look at how long your last three similar tasks really took before estimating the next one.",
    ),
    m(
        "Shares what they know",
        "Write down one thing you learned this week where your team can find it. Five minutes now saves someone an hour later.",
    ),
    m(
        "Shares what they know",
        "Offer to show a colleague a shortcut or tool you use every day. What is obvious to you is often new to them.",
    ),
    m(
        "Helps others grow",
        "Give one colleague specific feedback on something they did well this week: what it was and why it worked.",
    ),
    m(
        "Helps others grow",
        "When someone asks you how to do something, walk them through it instead of doing it for them.",
    ),
    m(
        "Connects people with each other",
        "Introduce two colleagues who are working on similar problems and do not know each other yet.",
    ),
    m(
        "Connects people with each other",
        "After your connection round meeting, tell your partner about one person they should meet next.",
    ),
];

/// The built-in library for an audience, in its order.
pub fn built_in(audience: TipAudience) -> Vec<Tip> {
    let list: &[(&str, &str)] = match audience {
        TipAudience::Managers => &FOR_MANAGERS,
        TipAudience::Everyone => &FOR_EVERYONE,
    };
    list.iter()
        .map(|(behaviour, text)| Tip {
            id: None,
            audience,
            behaviour: (*behaviour).to_string(),
            text: (*text).to_string(),
        })
        .collect()
}

/// The week's tip from `library` (built-in and the organisation's own, in order): for the
/// behaviour rated lowest in the person's latest 360 when they have one — rotating through
/// that behaviour's tips week by week — otherwise the library in order. `week` counts
/// weeks since any fixed day.
pub fn choose<'a>(library: &'a [Tip], lowest: Option<&str>, week: i64) -> Option<&'a Tip> {
    let targeted: Vec<&Tip> = match lowest {
        Some(behaviour) => library
            .iter()
            .filter(|t| t.behaviour.eq_ignore_ascii_case(behaviour))
            .collect(),
        None => Vec::new(),
    };
    let pool: Vec<&Tip> = if targeted.is_empty() {
        library.iter().collect()
    } else {
        targeted
    };
    if pool.is_empty() {
        return None;
    }
    Some(pool[week.rem_euclid(pool.len() as i64) as usize])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assessments::{peer_template, template};
    use std::collections::HashSet;

    #[test]
    fn a_year_of_tips_for_managers_each_under_a_behaviour_of_the_360() {
        let managers = built_in(TipAudience::Managers);
        assert!(managers.len() >= 52);
        let upward: HashSet<String> = template().into_iter().map(|b| b.text).collect();
        for tip in &managers {
            assert!(upward.contains(&tip.behaviour), "{}", tip.behaviour);
        }
        let covered: HashSet<&String> = managers.iter().map(|t| &t.behaviour).collect();
        assert_eq!(covered.len(), upward.len(), "every behaviour has tips");
        let peer: HashSet<String> = peer_template().into_iter().map(|b| b.text).collect();
        for tip in built_in(TipAudience::Everyone) {
            assert!(peer.contains(&tip.behaviour), "{}", tip.behaviour);
        }
        let texts: HashSet<&String> = managers.iter().map(|t| &t.text).collect();
        assert_eq!(texts.len(), managers.len(), "no tip twice");
    }

    #[test]
    fn the_lowest_behaviour_chooses_the_tip_otherwise_the_library_goes_in_order() {
        let library = built_in(TipAudience::Managers);
        let first = choose(&library, None, 0).unwrap();
        let second = choose(&library, None, 1).unwrap();
        assert_eq!(first, &library[0]);
        assert_eq!(second, &library[1]);
        assert_eq!(choose(&library, None, 52).unwrap(), &library[0]);
        for week in 0..8 {
            let tip = choose(&library, Some("Removes obstacles"), week).unwrap();
            assert_eq!(tip.behaviour, "Removes obstacles");
        }
        assert_ne!(
            choose(&library, Some("Removes obstacles"), 0),
            choose(&library, Some("Removes obstacles"), 1),
            "the targeted tips rotate too"
        );
        assert_eq!(
            choose(&library, Some("Juggles"), 3).unwrap(),
            &library[3],
            "an unknown behaviour falls back to the order"
        );
        assert_eq!(choose(&[], None, 0), None);
    }
}
