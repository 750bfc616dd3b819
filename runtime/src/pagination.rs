//! Walking numbered pages: the first page is fetched alone, then the remaining ones with bounded
//! concurrency, and pages come out in page order.

use std::future::Future;
use std::pin::Pin;

use futures::future::BoxFuture;
use futures::stream::{self, FuturesOrdered, Stream, StreamExt, TryStreamExt};
use futures::FutureExt;

/// Default number of page requests in flight at once, after the first page.
pub const DEFAULT_PAGE_CONCURRENCY: usize = 4;

/// A stream of pages or items; it ends after the last page or after the first error.
pub type PageStream<T, E> = Pin<Box<dyn Stream<Item = Result<T, E>> + Send + 'static>>;

/// A type that page numbers and page counts can be read from and written to.
pub trait PageNumber {
    /// Converts a 1-based page number into this type.
    fn from_page_number(number: i64) -> Self;
    /// Reads a page number or a page count.
    fn to_page_number(&self) -> i64;
}

impl PageNumber for i64 {
    fn from_page_number(number: i64) -> Self {
        number
    }

    fn to_page_number(&self) -> i64 {
        *self
    }
}

impl PageNumber for i32 {
    fn from_page_number(number: i64) -> Self {
        i32::try_from(number).unwrap_or(i32::MAX)
    }

    fn to_page_number(&self) -> i64 {
        i64::from(*self)
    }
}

impl PageNumber for f64 {
    fn from_page_number(number: i64) -> Self {
        number as f64
    }

    fn to_page_number(&self) -> i64 {
        *self as i64
    }
}

/// Walks pages from `first_page` to the last page that the pages report.
///
/// `fetch` requests one page by number and `last_page_of` reads the last page number from a page.
/// The first page is requested alone; then up to `concurrency` requests (at least 1) run at once.
/// Each page's `last_page` replaces the previous value in page order, so a listing that grows or
/// shrinks during the walk is followed, and a page whose number is beyond the `last_page` it
/// reports ends the stream without being returned. Dropping the stream cancels the requests in
/// flight, and no request starts before the stream is polled.
pub fn pages<P, E, F, Fut>(
    first_page: i64,
    concurrency: usize,
    fetch: F,
    last_page_of: fn(&P) -> i64,
) -> PageStream<P, E>
where
    P: Send + 'static,
    E: Send + 'static,
    F: Fn(i64) -> Fut + Send + 'static,
    Fut: Future<Output = Result<P, E>> + Send + 'static,
{
    let walk = Walk {
        fetch: Box::new(move |number| fetch(number).boxed()),
        last_page_of,
        concurrency: concurrency.max(1),
        next_page: first_page,
        last_page: None,
        exhausted: false,
        in_flight: FuturesOrdered::new(),
    };
    stream::unfold(walk, |mut walk| async move {
        let item = walk.next().await?;
        Some((item, walk))
    })
    .boxed()
}

/// Flattens a stream of pages into a stream of their items, in page order.
pub fn items<P, T, E>(pages: PageStream<P, E>, items_of: fn(P) -> Vec<T>) -> PageStream<T, E>
where
    P: Send + 'static,
    T: Send + 'static,
    E: Send + 'static,
{
    pages.map_ok(move |page| stream::iter(items_of(page).into_iter().map(Ok))).try_flatten().boxed()
}

type Fetch<P, E> = Box<dyn Fn(i64) -> BoxFuture<'static, Result<P, E>> + Send>;

struct Walk<P, E> {
    fetch: Fetch<P, E>,
    last_page_of: fn(&P) -> i64,
    concurrency: usize,
    next_page: i64,
    /// `None` until the first page has arrived.
    last_page: Option<i64>,
    /// Set once no further page may be requested: after an error, the end, or page `i64::MAX`.
    exhausted: bool,
    in_flight: FuturesOrdered<BoxFuture<'static, (i64, Result<P, E>)>>,
}

impl<P: Send + 'static, E: Send + 'static> Walk<P, E> {
    async fn next(&mut self) -> Option<Result<P, E>> {
        self.start_requests();
        let (number, result) = self.in_flight.next().await?;
        let page = match result {
            Ok(page) => page,
            Err(error) => {
                self.stop();
                return Some(Err(error));
            }
        };
        let reported_last = (self.last_page_of)(&page);
        let is_first = self.last_page.is_none();
        self.last_page = Some(reported_last);
        if !is_first && number > reported_last {
            tracing::debug!(
                page = number,
                last_page = reported_last,
                "page is past the reported last page; the walk stops"
            );
            self.stop();
            return None;
        }
        Some(Ok(page))
    }

    /// Starts the first page alone, or further pages up to the concurrency limit.
    fn start_requests(&mut self) {
        let limit = match self.last_page {
            None if self.in_flight.is_empty() => self.next_page,
            None => return,
            Some(last_page) => last_page,
        };
        let window = if self.last_page.is_none() { 1 } else { self.concurrency };
        while !self.exhausted && self.in_flight.len() < window && self.next_page <= limit {
            let number = self.next_page;
            let request = (self.fetch)(number);
            self.in_flight.push_back(request.map(move |result| (number, result)).boxed());
            // Page `i64::MAX` is the last one a walk can request.
            match self.next_page.checked_add(1) {
                Some(next) => self.next_page = next,
                None => {
                    self.exhausted = true;
                    break;
                }
            }
        }
    }

    /// Cancels the requests in flight and starts no more.
    fn stop(&mut self) {
        self.in_flight = FuturesOrdered::new();
        self.exhausted = true;
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};

    use super::*;

    /// A page of a fake listing: its number, items and the last page it reports.
    #[derive(Debug, Clone, PartialEq)]
    struct Page {
        number: i64,
        items: Vec<i64>,
        last_page: i64,
    }

    fn listing(last_page: i64) -> impl Fn(i64) -> futures::future::Ready<Result<Page, String>> {
        move |number| futures::future::ready(Ok(Page { number, items: vec![number * 10], last_page }))
    }

    #[tokio::test]
    async fn walks_every_page_in_order() {
        let walked: Vec<Page> = pages(1, 3, listing(5), |page: &Page| page.last_page).try_collect().await.unwrap();
        let numbers: Vec<i64> = walked.iter().map(|page| page.number).collect();
        assert_eq!(numbers, vec![1, 2, 3, 4, 5]);
    }

    #[tokio::test]
    async fn items_are_flattened() {
        let stream = pages(2, 2, listing(4), |page: &Page| page.last_page);
        let all: Vec<i64> = items(stream, |page: Page| page.items).try_collect().await.unwrap();
        assert_eq!(all, vec![20, 30, 40]);
    }

    #[tokio::test]
    async fn zero_last_page_returns_first_page_only() {
        let walked: Vec<Page> = pages(1, 3, listing(0), |page: &Page| page.last_page).try_collect().await.unwrap();
        assert_eq!(walked.len(), 1);
    }

    #[tokio::test]
    async fn error_ends_stream() {
        let calls = Arc::new(AtomicUsize::new(0));
        let counter = calls.clone();
        let fetch = move |number: i64| {
            counter.fetch_add(1, Ordering::SeqCst);
            futures::future::ready(if number == 2 {
                Err(format!("page {number} failed"))
            } else {
                Ok(Page { number, items: vec![], last_page: 3 })
            })
        };
        let results: Vec<Result<Page, String>> = pages(1, 1, fetch, |page: &Page| page.last_page).collect().await;
        assert_eq!(results.len(), 2);
        assert!(results[0].is_ok());
        assert_eq!(results[1].as_ref().unwrap_err(), "page 2 failed");
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn walk_ends_at_largest_page_number() {
        let fetch =
            |number: i64| futures::future::ready(Ok::<_, String>(Page { number, items: vec![], last_page: i64::MAX }));
        let walked: Vec<Page> =
            pages(i64::MAX - 1, 4, fetch, |page: &Page| page.last_page).try_collect().await.unwrap();
        let numbers: Vec<i64> = walked.iter().map(|page| page.number).collect();
        assert_eq!(numbers, vec![i64::MAX - 1, i64::MAX]);
    }

    #[tokio::test]
    async fn nothing_is_requested_before_polling() {
        let requested = Arc::new(Mutex::new(Vec::new()));
        let log = requested.clone();
        let fetch = move |number: i64| {
            log.lock().unwrap().push(number);
            futures::future::ready(Ok::<_, String>(Page { number, items: vec![], last_page: 9 }))
        };
        let mut stream = pages(1, 4, fetch, |page: &Page| page.last_page);
        assert!(requested.lock().unwrap().is_empty());
        stream.next().await.unwrap().unwrap();
        assert_eq!(*requested.lock().unwrap(), vec![1]);
    }
}
