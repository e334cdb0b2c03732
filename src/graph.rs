//! Graph: one causal graph per report.
//!
//! Takes a scan's windows (already filtered to what the report covers), the parties and the
//! deploy log; gives a typed petgraph graph in which every claim of a report is a path:
//!
//! ```text
//! change ─written in─▶ commit ─landed in─▶ landing ─deployed by─▶ deployment ─made live─▶ exposure
//!    └──────────────────────────caused (but-for)────────────────────────────────────────▶ exposure
//! remediation ─closed─▶ exposure        commit ─authored by─▶ person ─acts for─▶ party
//! ```
//!
//! Every report format (JSON windows, text, Markdown, HTML, DOT) reads this graph: who a cause's
//! party is, which party the contract holds responsible, which deployment put a window live. So
//! the formats cannot disagree, and the graph is what the DOT and HTML views draw.

use crate::engine::scan::ScanResult;
use crate::engine::timeline::{Cause, Window};
use crate::evidence::attribution::Parties;
use crate::evidence::deploys::{self, DeployLog, Live};
use petgraph::stable_graph::{NodeIndex, StableDiGraph};
use petgraph::visit::EdgeRef;
use petgraph::Direction;
use std::collections::BTreeMap;

/// What a change did to its exposure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Cause,
    /// The n-th widening of the window.
    Widening(usize),
    Remediation,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// A window of the scan (index into `ScanResult::windows`).
    Exposure {
        window: usize,
    },
    /// A setting change: the `index`-th cause (or widening cause, or the remediation) of a window.
    Change {
        window: usize,
        role: Role,
        index: usize,
    },
    /// An entry of the commit table.
    Commit {
        commit: usize,
    },
    /// A landing (index in landing order).
    Landing {
        landing: usize,
    },
    /// A row of the deploy log.
    Deployment {
        row: usize,
    },
    Person {
        name: String,
        email: String,
    },
    Party {
        name: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edge {
    /// change → commit
    WrittenIn,
    /// commit → landing
    LandedIn,
    /// landing → the deployment that first put it live
    DeployedBy,
    /// deployment → exposure: the start of a live interval
    MadeLive,
    /// deployment → exposure: the end of a live interval
    EndedLive,
    /// landing → exposure
    Opened,
    /// landing → exposure
    Closed,
    /// change → exposure
    Caused { but_for: bool },
    /// change → exposure
    Widened,
    /// change → exposure
    Remediated,
    /// commit → person
    AuthoredBy,
    /// commit → person
    CommittedBy,
    /// landing → person (a merge landing's committer)
    MergedBy,
    /// person → party
    ActsFor,
    /// exposure → party: the contract's responsibility matrix assigns the rule's category
    ResponsibilityOf,
}

impl Edge {
    pub fn label(self) -> &'static str {
        match self {
            Edge::WrittenIn => "written in",
            Edge::LandedIn => "landed in",
            Edge::DeployedBy => "deployed by",
            Edge::MadeLive => "made live",
            Edge::EndedLive => "ended live",
            Edge::Opened => "opened",
            Edge::Closed => "closed",
            Edge::Caused { but_for: true } => "caused (but-for)",
            Edge::Caused { but_for: false } => "contributed",
            Edge::Widened => "widened",
            Edge::Remediated => "remediated",
            Edge::AuthoredBy => "authored by",
            Edge::CommittedBy => "committed by",
            Edge::MergedBy => "merged by",
            Edge::ActsFor => "acts for",
            Edge::ResponsibilityOf => "responsibility of",
        }
    }
}

/// The graph and the indices reports start from.
#[derive(Debug, Default)]
pub struct Graph {
    pub g: StableDiGraph<Node, Edge>,
    /// Exposure nodes in report order (opening landing, rule, unit, address).
    pub exposures: Vec<NodeIndex>,
    /// Per exposure node, its live intervals (when a deploy log was given).
    pub live: BTreeMap<NodeIndex, Live>,
    commits: BTreeMap<usize, NodeIndex>,
    landings: BTreeMap<usize, NodeIndex>,
    deployments: BTreeMap<usize, NodeIndex>,
    people: BTreeMap<(String, String), NodeIndex>,
    parties: BTreeMap<String, NodeIndex>,
}

impl Graph {
    /// Builds the graph of `windows` (indices into `r.windows`, in report order).
    pub fn build(
        r: &ScanResult,
        windows: &[usize],
        parties: Option<&Parties>,
        deploys: Option<&DeployLog>,
    ) -> Graph {
        let mut gr = Graph::default();
        if let Some(p) = parties {
            for party in &p.parties {
                let n = gr.g.add_node(Node::Party {
                    name: party.name.clone(),
                });
                gr.parties.insert(party.name.clone(), n);
            }
        }
        for &wi in windows {
            let w = &r.windows[wi];
            let x = gr.g.add_node(Node::Exposure { window: wi });
            gr.exposures.push(x);
            let opened = gr.landing(r, w.opened, parties, deploys);
            gr.g.add_edge(opened, x, Edge::Opened);
            if let Some(c) = w.closed {
                let closed = gr.landing(r, c, parties, deploys);
                gr.g.add_edge(closed, x, Edge::Closed);
            }
            for (i, c) in w.causes.iter().enumerate() {
                let n = gr.change(r, wi, Role::Cause, i, c, parties, deploys);
                gr.g.add_edge(n, x, Edge::Caused { but_for: c.but_for });
            }
            for (k, wd) in w.widenings.iter().enumerate() {
                for (i, c) in wd.causes.iter().enumerate() {
                    let n = gr.change(r, wi, Role::Widening(k), i, c, parties, deploys);
                    gr.g.add_edge(n, x, Edge::Widened);
                }
            }
            if let Some(c) = &w.remediation {
                let n = gr.change(r, wi, Role::Remediation, 0, c, parties, deploys);
                gr.g.add_edge(n, x, Edge::Remediated);
            }
            if let Some(log) = deploys {
                let live = deploys::live(log, w.opened, w.closed);
                for &(s, e) in &live.intervals {
                    let sn = gr.deployment(s);
                    gr.g.add_edge(sn, x, Edge::MadeLive);
                    if let Some(e) = e {
                        let en = gr.deployment(e);
                        gr.g.add_edge(en, x, Edge::EndedLive);
                    }
                }
                gr.live.insert(x, live);
            }
            if let (Some(p), Some(rule)) = (parties, crate::rules::find(r.rules, w.rule)) {
                if let Some(name) = p.responsible_for(rule.meta.category.as_str()) {
                    if let Some(&pn) = gr.parties.get(name) {
                        gr.g.add_edge(x, pn, Edge::ResponsibilityOf);
                    }
                }
            }
        }
        gr
    }

    #[allow(clippy::too_many_arguments)]
    fn change(
        &mut self,
        r: &ScanResult,
        window: usize,
        role: Role,
        index: usize,
        c: &Cause,
        parties: Option<&Parties>,
        deploys: Option<&DeployLog>,
    ) -> NodeIndex {
        let n = self.g.add_node(Node::Change {
            window,
            role,
            index,
        });
        let commit = self.commit(r, c.blamed.commit, parties);
        self.g.add_edge(n, commit, Edge::WrittenIn);
        let landing = self.landing(r, c.blamed.landing, parties, deploys);
        if !self
            .g
            .edges_connecting(commit, landing)
            .any(|e| *e.weight() == Edge::LandedIn)
        {
            self.g.add_edge(commit, landing, Edge::LandedIn);
        }
        n
    }

    fn commit(&mut self, r: &ScanResult, ci: usize, parties: Option<&Parties>) -> NodeIndex {
        if let Some(&n) = self.commits.get(&ci) {
            return n;
        }
        let n = self.g.add_node(Node::Commit { commit: ci });
        self.commits.insert(ci, n);
        let info = &r.commits.info(ci);
        let a = self.person(&info.author.name, &info.author.email, parties);
        self.g.add_edge(n, a, Edge::AuthoredBy);
        let c = self.person(&info.committer.name, &info.committer.email, parties);
        self.g.add_edge(n, c, Edge::CommittedBy);
        n
    }

    fn landing(
        &mut self,
        r: &ScanResult,
        li: usize,
        parties: Option<&Parties>,
        deploys: Option<&DeployLog>,
    ) -> NodeIndex {
        if let Some(&n) = self.landings.get(&li) {
            return n;
        }
        let n = self.g.add_node(Node::Landing { landing: li });
        self.landings.insert(li, n);
        let info = r.landing_commit(li);
        if let Some(p) = crate::evidence::attribution::merger(&info) {
            let m = self.person(&p.name, &p.email, parties);
            self.g.add_edge(n, m, Edge::MergedBy);
        }
        if let Some(log) = deploys {
            // The first deployment, in time, whose state contains this landing.
            if let Some(row) = log.rows.iter().position(|d| d.landing >= li) {
                let d = self.deployment(row);
                self.g.add_edge(n, d, Edge::DeployedBy);
            }
        }
        n
    }

    fn deployment(&mut self, row: usize) -> NodeIndex {
        if let Some(&n) = self.deployments.get(&row) {
            return n;
        }
        let n = self.g.add_node(Node::Deployment { row });
        self.deployments.insert(row, n);
        n
    }

    fn person(&mut self, name: &str, email: &str, parties: Option<&Parties>) -> NodeIndex {
        let key = (name.to_string(), email.to_string());
        if let Some(&n) = self.people.get(&key) {
            return n;
        }
        let n = self.g.add_node(Node::Person {
            name: name.to_string(),
            email: email.to_string(),
        });
        self.people.insert(key, n);
        if let Some(party) = parties.and_then(|p| p.of(name, email)) {
            if let Some(&pn) = self.parties.get(party) {
                self.g.add_edge(n, pn, Edge::ActsFor);
            }
        }
        n
    }

    fn out(&self, n: NodeIndex, kind: Edge) -> Option<NodeIndex> {
        self.g
            .edges_directed(n, Direction::Outgoing)
            .find(|e| *e.weight() == kind)
            .map(|e| e.target())
    }

    /// The window an exposure node stands for.
    pub fn window(&self, x: NodeIndex) -> Option<usize> {
        match self.g.node_weight(x) {
            Some(Node::Exposure { window }) => Some(*window),
            _ => None,
        }
    }

    /// The change nodes of an exposure with a role, in the scan's order.
    pub fn changes(&self, x: NodeIndex, want: fn(Role) -> bool) -> Vec<(NodeIndex, Role, usize)> {
        let mut out: Vec<(NodeIndex, Role, usize)> = self
            .g
            .edges_directed(x, Direction::Incoming)
            .filter_map(|e| match self.g.node_weight(e.source()) {
                Some(Node::Change { role, index, .. }) if want(*role) => {
                    Some((e.source(), *role, *index))
                }
                _ => None,
            })
            .collect();
        out.sort_by_key(|&(_, role, index)| (role, index));
        out
    }

    /// The party of a change: its commit's author's, else its committer's.
    pub fn party_of_change(&self, change: NodeIndex) -> Option<&str> {
        let commit = self.out(change, Edge::WrittenIn)?;
        [Edge::AuthoredBy, Edge::CommittedBy]
            .into_iter()
            .filter_map(|k| self.out(commit, k))
            .find_map(|person| self.party_of_person(person))
    }

    pub fn party_of_person(&self, person: NodeIndex) -> Option<&str> {
        match self
            .out(person, Edge::ActsFor)
            .and_then(|p| self.g.node_weight(p))
        {
            Some(Node::Party { name }) => Some(name),
            _ => None,
        }
    }

    /// The party the contract holds responsible for an exposure's rule category.
    pub fn responsible(&self, x: NodeIndex) -> Option<&str> {
        match self
            .out(x, Edge::ResponsibilityOf)
            .and_then(|p| self.g.node_weight(p))
        {
            Some(Node::Party { name }) => Some(name),
            _ => None,
        }
    }

    /// The first deployment that put a landing live, as a deploy-log row.
    pub fn deployment_of_landing(&self, li: usize) -> Option<usize> {
        let n = *self.landings.get(&li)?;
        match self
            .out(n, Edge::DeployedBy)
            .and_then(|d| self.g.node_weight(d))
        {
            Some(Node::Deployment { row }) => Some(*row),
            _ => None,
        }
    }

    /// Every person who authored or committed a change of the graph and acts for no party (a
    /// forge is not a person here).
    pub fn unmatched_people(&self) -> Vec<(&str, &str)> {
        let mut out: Vec<(&str, &str)> = self
            .g
            .node_indices()
            .filter_map(|n| match self.g.node_weight(n) {
                // A forge's service identity is nobody's party by design: listing it here
                // would invite a parties file to name it, which `Parties::of` ignores.
                Some(Node::Person { name, email })
                    if self.party_of_person(n).is_none()
                        && crate::evidence::attribution::forge_identity(name, email).is_none() =>
                {
                    Some((name.as_str(), email.as_str()))
                }
                _ => None,
            })
            .collect();
        out.sort();
        out.dedup();
        out
    }
}

/// The cause an exposure's change node stands for.
pub fn cause_of<'a>(r: &'a ScanResult, node: &Node) -> Option<&'a Cause> {
    let Node::Change {
        window,
        role,
        index,
    } = node
    else {
        return None;
    };
    let w: &Window = r.windows.get(*window)?;
    match role {
        Role::Cause => w.causes.get(*index),
        Role::Widening(k) => w.widenings.get(*k)?.causes.get(*index),
        Role::Remediation => w.remediation.as_ref(),
    }
}
