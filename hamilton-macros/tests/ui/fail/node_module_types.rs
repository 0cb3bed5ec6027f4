// In a `#[node_module]`, a parameter or return type that `#[node]` would reject is reported on
// that type, as without the attribute.
#[hamilton_core::node_module]
mod features {
    use hamilton_core::node;
    use std::rc::Rc;

    pub struct NotClone;
    pub struct ScoreResult;

    #[node]
    pub fn shared(x: &Rc<f64>) -> f64 {
        **x
    }

    #[node]
    pub fn taken(x: NotClone) -> f64 {
        let _ = x;
        1.0
    }

    #[node]
    pub fn score(x: &f64) -> ScoreResult {
        let _ = x;
        ScoreResult
    }

    #[node]
    pub fn rc_output(x: &f64) -> Rc<f64> {
        Rc::new(*x)
    }
}

fn main() {}
