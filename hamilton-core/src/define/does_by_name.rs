//! `does(f, their_param = our_param)`: the arguments of the reused function matched to the
//! function's own parameters by name, at compile time (used by the code `#[node]` generates).

use crate::node::NodeDef;

/// Whether two strings are equal, in a constant.
const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Whether the node `def` has a parameter `name`.
pub const fn has_param(def: &NodeDef, name: &str) -> bool {
    let mut i = 0;
    while i < def.params.len() {
        if same(def.params[i].name, name) {
            return true;
        }
        i += 1;
    }
    false
}

/// For each parameter of `def`, in its order, the position in `names` of the argument it
/// receives. `names` are distinct and each a parameter of `def`, which has `N` parameters
/// (the generated code asserts both, with messages naming them); a parameter without a name
/// keeps its own position, so that only those messages are reported.
pub const fn argument_order<const N: usize>(def: &NodeDef, names: [&str; N]) -> [usize; N] {
    let mut order = [0; N];
    let mut k = 0;
    while k < N {
        order[k] = k;
        k += 1;
    }
    k = 0;
    while k < N && k < def.params.len() {
        let mut j = 0;
        while j < N {
            if same(def.params[k].name, names[j]) {
                order[k] = j;
            }
            j += 1;
        }
        k += 1;
    }
    order
}

/// Takes argument `I` of a tuple of `Option`ed arguments, each taken once.
pub trait Pick<const I: usize> {
    /// The argument's type.
    type Out;
    /// Takes the argument.
    fn pick(&mut self) -> Self::Out;
}

macro_rules! pick {
    ($ts:tt; $($i:tt $o:ident),+) => {
        $(pick_one!($ts, $i, $o);)+
    };
}

macro_rules! pick_one {
    ([$($t:ident),+], $i:tt, $o:ident) => {
        impl<$($t),+> Pick<$i> for ($(Option<$t>,)+) {
            type Out = $o;
            fn pick(&mut self) -> $o {
                match self.$i.take() {
                    Some(v) => v,
                    // `argument_order` gives each position once.
                    None => unreachable!("argument {} taken twice", $i),
                }
            }
        }
    };
}

pick!([A]; 0 A);
pick!([A, B]; 0 A, 1 B);
pick!([A, B, C]; 0 A, 1 B, 2 C);
pick!([A, B, C, D]; 0 A, 1 B, 2 C, 3 D);
pick!([A, B, C, D, E]; 0 A, 1 B, 2 C, 3 D, 4 E);
pick!([A, B, C, D, E, F]; 0 A, 1 B, 2 C, 3 D, 4 E, 5 F);
pick!([A, B, C, D, E, F, G]; 0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G);
pick!([A, B, C, D, E, F, G, H]; 0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G, 7 H);
pick!([A, B, C, D, E, F, G, H, J]; 0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G, 7 H, 8 J);
pick!([A, B, C, D, E, F, G, H, J, K]; 0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G, 7 H, 8 J, 9 K);
pick!([A, B, C, D, E, F, G, H, J, K, L]; 0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G, 7 H, 8 J, 9 K, 10 L);
pick!([A, B, C, D, E, F, G, H, J, K, L, M]; 0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G, 7 H, 8 J, 9 K, 10 L, 11 M);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_compare_by_bytes() {
        let spend = std::hint::black_box("spend");
        assert!(same(spend, "spend"));
        assert!(!same(spend, "spent"));
        assert!(!same(spend, "spends"));
    }

    #[test]
    fn arguments_are_picked_once_each_by_position() {
        let mut args = (Some(1_u8), Some("two"), Some(3.0_f64));
        assert_eq!(<_ as Pick<1>>::pick(&mut args), "two");
        assert_eq!(<_ as Pick<2>>::pick(&mut args), 3.0);
        assert_eq!(<_ as Pick<0>>::pick(&mut args), 1);
    }
}
