//! Influence: leadership measured from behaviour (PRODUCT.md, capability E). Who seeks
//! whose advice, and who connects people who would otherwise not meet. This first part is
//! the metrics themselves, exactly as PRODUCT.md defines them, in [`graph`]: influence
//! outside the line, reach (PageRank of the advice graph) and brokerage (betweenness of
//! the interaction graph, exact or sampled with its error).

pub mod graph;
