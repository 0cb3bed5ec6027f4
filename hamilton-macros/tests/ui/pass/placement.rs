//! Nodes in a private module, inside a function body, behind `#[cfg]`, deprecated, or `const`.
#![deny(warnings, missing_docs, unreachable_pub)]

use hamilton_core::{node, nodes};

mod features {
    use hamilton_core::node;

    /// Public in a private module.
    #[node]
    pub(crate) fn visible(base: &f64) -> f64 {
        base + 1.0
    }

    #[node]
    fn private_to_module() -> f64 {
        0.0
    }

    pub(crate) fn list() -> hamilton_core::Module {
        hamilton_core::nodes![private_to_module]
    }

    pub(crate) mod nested {
        use hamilton_core::node;

        /// `pub` in a private module: the hidden struct gets no `unreachable_pub` warning of its
        /// own.
        #[allow(unreachable_pub)]
        #[node]
        pub fn deep() -> u8 {
            1
        }
    }
}

#[node]
#[cfg(any())]
fn compiled_out() -> f64 {
    0.0
}

// Behind `#[cfg]` too: the shims of an `async fn` and of a function past the generic call's 12
// parameters go with it.
#[node]
#[cfg(any())]
async fn compiled_out_async(a: &f64) -> f64 {
    *a
}

#[node]
#[cfg(any())]
#[allow(clippy::too_many_arguments)]
fn compiled_out_wide(
    a: &u8, b: &u8, c: &u8, d: &u8, e: &u8, f: &u8, g: &u8, h: &u8, i: &u8, j: &u8, k: &u8,
    l: &u8, m: &u8,
) -> u8 {
    a + b + c + d + e + f + g + h + i + j + k + l + m
}

#[node]
#[deprecated = "use something else"]
fn old() -> f64 {
    0.0
}

#[node]
const fn constant() -> u32 {
    3
}

/// More parameters than the generic call takes: called through a shim.
#[node]
#[allow(clippy::too_many_arguments)]
fn wide(
    a: &u8, b: &u8, c: &u8, d: &u8, e: &u8, f: &u8, g: &u8, h: &u8, i: &u8, j: &u8, k: &u8,
    l: &u8, m: u8,
) -> u8 {
    a + b + c + d + e + f + g + h + i + j + k + l + m
}

fn main() {
    let one = 1_u8;
    let slots: Vec<hamilton_core::__private::Arg<'_>> =
        (0..13).map(|_| hamilton_core::__private::Arg::Ref(&one)).collect();
    let value = <wide>::DEF
        .call
        .call(&hamilton_core::__private::Args::new(&slots))
        .unwrap();
    assert_eq!(value.downcast_ref::<u8>(), Some(&13));

    /// Defined in a function body.
    #[node]
    fn local(x: &f64) -> f64 {
        x * 2.0
    }
    assert_eq!(<local>::DEF.doc, "Defined in a function body.");
    assert_eq!(<local>::DEF.module, module_path!());

    let def = <features::visible>::DEF;
    assert_eq!(def.module, format!("{}::features", module_path!()));
    assert_eq!(def.doc, "Public in a private module.");
    assert_eq!(
        <features::nested::deep>::DEF.module,
        format!("{}::features::nested", module_path!())
    );
    let module = nodes![features::visible, local, old, constant];
    assert_eq!(module.name(), "nodes![features::visible, local, old, constant]");
    assert_eq!(features::list().name(), "nodes![private_to_module]");
    assert_eq!(<constant>::DEF.output.name(), "u32");
}
