//! Data a page loads from the API: `Load::new(|| api::village(slug))`, read
//! with `get()` (`None` until the first answer), loaded again with
//! `refetch()` or when a signal that the loader reads changes.
//!
//! This is what Leptos's `LocalResource` did for us, at about 12 KB of
//! brotli wasm per bundle for its async-derived machinery; a page here
//! needs only a signal, an effect and a task. As with `LocalResource`, the
//! last answer stays while a new one loads, and an answer that a newer
//! load has overtaken is dropped. A load that needs no waiting (the page's
//! embedded answer) is there at once, in the first render.

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use leptos::prelude::*;

pub struct Load<T: 'static> {
    value: RwSignal<Option<T>, LocalStorage>,
    start: StoredValue<Rc<dyn Fn()>, LocalStorage>,
}

impl<T: 'static> Clone for Load<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: 'static> Copy for Load<T> {}

impl<T: Clone + 'static> Load<T> {
    pub fn new<F>(load: impl Fn() -> F + 'static) -> Self
    where
        F: Future<Output = T> + 'static,
    {
        // An answer at hand (the one embedded in the page) is there from
        // the first render, so the page is drawn once, with it.
        let mut first = Box::pin(untrack(&load));
        let ready = first.as_mut().poll(&mut Context::from_waker(Waker::noop()));
        let (value, first) = match ready {
            Poll::Ready(answer) => (RwSignal::new_local(Some(answer)), None),
            Poll::Pending => (RwSignal::new_local(None), Some(first)),
        };
        // Which load is the latest; older answers are not shown.
        let latest = Rc::new(Cell::new(0u64));
        let run = move |fut: Pin<Box<F>>| {
            let this = latest.get() + 1;
            latest.set(this);
            let latest = latest.clone();
            leptos::task::spawn_local(async move {
                let answer = fut.await;
                if latest.get() == this {
                    let _ = value.try_set(Some(answer));
                }
            });
        };
        let load = Rc::new(load);
        let start: Rc<dyn Fn()> = {
            let (load, run) = (load.clone(), run.clone());
            Rc::new(move || run(Box::pin(untrack(|| load()))))
        };
        // Goes on with the first load, and loads again whenever a signal
        // the loader reads changes. The first run only subscribes: its
        // load is the one already begun (or done).
        let mut first = Some(first);
        Effect::new(move |_| {
            let fut = Box::pin(load());
            match first.take() {
                Some(Some(begun)) => run(begun),
                Some(None) => {}
                None => run(fut),
            }
        });
        Self {
            value,
            start: StoredValue::new_local(start),
        }
    }

    /// The latest answer, `None` until the first (tracked).
    pub fn get(&self) -> Option<T> {
        self.value.get()
    }

    /// Loads again; the current answer stays until the new one is in.
    pub fn refetch(&self) {
        if let Some(start) = self.start.try_get_value() {
            start();
        }
    }
}
