//! The synthetic DAGs of `../shared/bench/README.md`, built with the programmatic node API.
//!
//! N computed nodes plus one input `x`:
//! - `chain`: `n_0 = x + 1`, `n_i = n_{i-1} + 1`; request `n_{N-1}`;
//! - `wide`: `w_i = x * i`; request all N nodes;
//! - `diamond`: N/10 layers of width 10, `d_0_j = x + j`,
//!   `d_k_j = d_{k-1}_j + d_{k-1}_{(j+1)%10}`; request the last layer.
//!
//! Every node's body is one call of [`eval1`]/[`eval2`] on its argument values. The hand-written
//! loop ([`Workload::handwritten`]) calls the very same functions in topological order over a
//! vector of slots, and drops each intermediate after its last use, as the executor does.

use std::fmt;
use std::str::FromStr;

use hamilton_core::{
    Module,
    node::{Args, Node, NodeValue},
};
use polars::prelude::*;

/// Width of a diamond layer.
pub const DIAMOND_WIDTH: usize = 10;

/// The type flowing along the edges.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lib {
    /// A plain `f64`: what remains is the framework's own cost (Python: `float`).
    Scalar,
    /// A Polars Float64 `Series` of `--rows` rows.
    Polars,
}

impl Lib {
    /// The name used in the JSON (`scalar` / `polars`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Scalar => "scalar",
            Self::Polars => "polars",
        }
    }
}

impl FromStr for Lib {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "scalar" | "float" => Ok(Self::Scalar),
            "polars" => Ok(Self::Polars),
            _ => Err(format!("unknown lib `{s}`; expected scalar or polars")),
        }
    }
}

impl fmt::Display for Lib {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A DAG shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// `n_i = n_{i-1} + 1`.
    Chain,
    /// `w_i = x * i`.
    Wide,
    /// Layers of 10, each node reading two of the previous layer.
    Diamond,
    /// The chain as 1,000 generated `#[node]` functions ([`crate::macro_chain`]); scalar only,
    /// N = 1000 only.
    MacroChain,
}

impl Shape {
    /// The name used on the command line and in the JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Chain => "chain",
            Self::Wide => "wide",
            Self::Diamond => "diamond",
            Self::MacroChain => "macro-chain",
        }
    }
}

impl FromStr for Shape {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "chain" => Ok(Self::Chain),
            "wide" => Ok(Self::Wide),
            "diamond" => Ok(Self::Diamond),
            "macro-chain" | "macro" => Ok(Self::MacroChain),
            _ => Err(format!(
                "unknown shape `{s}`; expected chain, wide, diamond or macro-chain"
            )),
        }
    }
}

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a node computes from its argument values.
#[derive(Clone, Copy, Debug)]
pub enum Op {
    /// `a + c`.
    AddConst(f64),
    /// `a * c`.
    MulConst(f64),
    /// `a + b`.
    Add,
}

/// A value the synthetic nodes compute on.
pub trait Val: NodeValue + Clone {
    /// `self + c`.
    fn add_const(&self, c: f64) -> Self;
    /// `self * c`.
    fn mul_const(&self, c: f64) -> Self;
    /// `self + other`.
    fn add(&self, other: &Self) -> Self;
    /// The input `x`: `0.0`, or the Series `[0, 1, ..., rows - 1]`.
    fn input(rows: usize) -> Self;
    /// Whether two results are equal (for the correctness check before timing).
    fn same(&self, other: &Self) -> bool;
}

impl Val for f64 {
    #[inline]
    fn add_const(&self, c: f64) -> Self {
        self + c
    }
    #[inline]
    fn mul_const(&self, c: f64) -> Self {
        self * c
    }
    #[inline]
    fn add(&self, other: &Self) -> Self {
        self + other
    }
    fn input(_rows: usize) -> Self {
        0.0
    }
    fn same(&self, other: &Self) -> bool {
        self.to_bits() == other.to_bits()
    }
}

impl Val for Series {
    #[inline]
    fn add_const(&self, c: f64) -> Self {
        self + c
    }
    #[inline]
    fn mul_const(&self, c: f64) -> Self {
        self * c
    }
    #[inline]
    fn add(&self, other: &Self) -> Self {
        (self + other).expect("same length and dtype")
    }
    fn input(rows: usize) -> Self {
        Series::new(
            "x".into(),
            (0..rows).map(|i| i as f64).collect::<Vec<f64>>(),
        )
    }
    fn same(&self, other: &Self) -> bool {
        self.equals_missing(other)
    }
}

/// A one-argument node body.
#[inline]
pub fn eval1<V: Val>(op: Op, a: &V) -> V {
    match op {
        Op::AddConst(c) => a.add_const(c),
        Op::MulConst(c) => a.mul_const(c),
        Op::Add => a.add(a),
    }
}

/// A two-argument node body.
#[inline]
pub fn eval2<V: Val>(op: Op, a: &V, b: &V) -> V {
    match op {
        Op::Add => a.add(b),
        Op::AddConst(c) => a.add_const(c),
        Op::MulConst(c) => a.mul_const(c),
    }
}

/// One node: its name, the slots of its arguments (0 is `x`, `i + 1` is node `i`), its body.
#[derive(Clone, Debug)]
pub struct Spec {
    /// The node's name.
    pub name: String,
    /// Argument slots; `deps[..arity]` are used.
    pub deps: [u32; 2],
    /// Number of arguments (1 or 2).
    pub arity: u8,
    /// The body.
    pub op: Op,
}

/// A synthetic DAG: its nodes in topological order, what is requested, and when each
/// intermediate is read for the last time.
#[derive(Clone, Debug)]
pub struct Workload {
    /// The shape.
    pub shape: Shape,
    /// Number of computed nodes.
    pub n: usize,
    /// The nodes, in topological order (node `i` fills slot `i + 1`).
    pub specs: Vec<Spec>,
    /// Requested node names.
    pub outputs: Vec<String>,
    /// Slots of the requested nodes.
    pub output_slots: Vec<u32>,
    /// For each node, the slots whose last read it is (not outputs, not `x`).
    pub frees: Vec<Vec<u32>>,
}

impl Workload {
    /// The DAG of `shape` with `n` computed nodes (`diamond`: a positive multiple of 10).
    pub fn new(shape: Shape, n: usize) -> Result<Self, String> {
        if n == 0 {
            return Err("N must be positive".into());
        }
        let mut specs = Vec::with_capacity(n);
        let outputs: Vec<String> = match shape {
            Shape::Chain | Shape::MacroChain => {
                for i in 0..n {
                    specs.push(Spec {
                        name: format!("n_{i}"),
                        deps: [i as u32, 0],
                        arity: 1,
                        op: Op::AddConst(1.0),
                    });
                }
                vec![format!("n_{}", n - 1)]
            }
            Shape::Wide => {
                for i in 0..n {
                    specs.push(Spec {
                        name: format!("w_{i}"),
                        deps: [0, 0],
                        arity: 1,
                        op: Op::MulConst(i as f64),
                    });
                }
                specs.iter().map(|s| s.name.clone()).collect()
            }
            Shape::Diamond => {
                if !n.is_multiple_of(DIAMOND_WIDTH) {
                    return Err(format!(
                        "diamond needs N to be a multiple of {DIAMOND_WIDTH}, got {n}"
                    ));
                }
                let depth = n / DIAMOND_WIDTH;
                for j in 0..DIAMOND_WIDTH {
                    specs.push(Spec {
                        name: format!("d_0_{j}"),
                        deps: [0, 0],
                        arity: 1,
                        op: Op::AddConst(j as f64),
                    });
                }
                for k in 1..depth {
                    for j in 0..DIAMOND_WIDTH {
                        let prev = (k - 1) * DIAMOND_WIDTH;
                        specs.push(Spec {
                            name: format!("d_{k}_{j}"),
                            deps: [
                                (prev + j + 1) as u32,
                                (prev + (j + 1) % DIAMOND_WIDTH + 1) as u32,
                            ],
                            arity: 2,
                            op: Op::Add,
                        });
                    }
                }
                (0..DIAMOND_WIDTH)
                    .map(|j| format!("d_{}_{j}", depth - 1))
                    .collect()
            }
        };
        let slot_of = |name: &str| -> u32 {
            specs
                .iter()
                .rposition(|s| s.name == name)
                .map(|i| i as u32 + 1)
                .expect("outputs are nodes")
        };
        let output_slots: Vec<u32> = match shape {
            Shape::Wide => (1..=n as u32).collect(),
            _ => outputs.iter().map(|o| slot_of(o)).collect(),
        };
        let mut is_kept = vec![false; n + 1];
        is_kept[0] = true;
        for &s in &output_slots {
            is_kept[s as usize] = true;
        }
        let mut last_use = vec![usize::MAX; n + 1];
        for (i, spec) in specs.iter().enumerate() {
            for &d in &spec.deps[..spec.arity as usize] {
                last_use[d as usize] = i;
            }
        }
        let mut frees = vec![Vec::new(); n];
        for (slot, &at) in last_use.iter().enumerate() {
            if at != usize::MAX && !is_kept[slot] {
                frees[at].push(slot as u32);
            }
        }
        Ok(Self {
            shape,
            n,
            specs,
            outputs,
            output_slots,
            frees,
        })
    }

    /// The name of the value in `slot`.
    fn slot_name(&self, slot: u32) -> &str {
        if slot == 0 {
            "x"
        } else {
            &self.specs[slot as usize - 1].name
        }
    }

    /// The nodes, built with [`Node::builder`], each reading its arguments by reference.
    pub fn nodes<V: Val>(&self) -> Vec<Node> {
        self.specs
            .iter()
            .map(|spec| {
                let op = spec.op;
                let builder = Node::builder(spec.name.as_str());
                if spec.arity == 1 {
                    builder
                        .param::<V>(self.slot_name(spec.deps[0]))
                        .build(move |a: &Args| Ok(eval1(op, a.get::<V>(0)?)))
                } else {
                    builder
                        .param::<V>(self.slot_name(spec.deps[0]))
                        .param::<V>(self.slot_name(spec.deps[1]))
                        .build(move |a: &Args| Ok(eval2(op, a.get::<V>(0)?, a.get::<V>(1)?)))
                }
            })
            .collect()
    }

    /// The nodes as one module.
    pub fn module<V: Val>(&self) -> Module {
        Module::from_nodes(format!("{}_{}", self.shape, self.n), self.nodes::<V>())
    }

    /// The same computation by a plain loop: the node bodies in topological order over a vector
    /// of slots, each intermediate dropped after its last use. Returns the requested values in
    /// request order.
    pub fn handwritten<V: Val>(&self, x: &V) -> Vec<V> {
        let mut slots: Vec<Option<V>> = Vec::with_capacity(self.n + 1);
        slots.resize_with(self.n + 1, || None);
        slots[0] = Some(x.clone());
        for (i, spec) in self.specs.iter().enumerate() {
            let get = |slot: u32| slots[slot as usize].as_ref().expect("computed before");
            let value = if spec.arity == 1 {
                eval1(spec.op, get(spec.deps[0]))
            } else {
                eval2(spec.op, get(spec.deps[0]), get(spec.deps[1]))
            };
            slots[i + 1] = Some(value);
            for &f in &self.frees[i] {
                slots[f as usize] = None;
            }
        }
        self.output_slots
            .iter()
            .map(|&s| slots[s as usize].take().expect("outputs are kept"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hamilton_core::{Driver, Inputs};

    fn check<V: Val>(shape: Shape, n: usize, x: V) {
        let wl = Workload::new(shape, n).unwrap();
        let dr = Driver::builder()
            .with_modules([wl.module::<V>()])
            .build()
            .unwrap();
        let out = dr
            .execute(&wl.outputs, Inputs::new().set("x", x.clone()))
            .unwrap();
        let hand = wl.handwritten(&x);
        assert_eq!(hand.len(), wl.outputs.len());
        for (name, h) in wl.outputs.iter().zip(&hand) {
            assert!(out.get::<V>(name).unwrap().same(h), "{shape} {n} {name}");
        }
    }

    #[test]
    fn library_and_handwritten_agree() {
        for shape in [Shape::Chain, Shape::Wide, Shape::Diamond] {
            check(shape, 30, 0.5_f64);
            check(shape, 30, Series::input(4));
        }
    }

    #[test]
    fn chain_values() {
        let wl = Workload::new(Shape::Chain, 5).unwrap();
        assert_eq!(wl.handwritten(&0.0_f64), vec![5.0]);
        let wl = Workload::new(Shape::Diamond, 20).unwrap();
        // d_0_j = j, d_1_j = j + (j+1)%10
        assert_eq!(wl.handwritten(&0.0_f64)[9], 9.0);
        assert!(wl.frees.iter().flatten().all(|&s| s > 0));
    }
}
