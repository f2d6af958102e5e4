"""Maintainer commands of ``laocorpus``: the sample site, new site profiles, page fixtures.

They live apart from the researcher commands (export, stats, ...) because they drive the
crawler package's tooling rather than read the corpus.
"""

from __future__ import annotations

from pathlib import Path

import click

from cli.errors import output_path, writing
from cli.options import console

REPO_ROOT = Path(__file__).resolve().parent.parent

POSTS = click.option("--posts", default=120, show_default=True, type=click.IntRange(40, 50_000))
SEED = click.option("--seed", default=1, show_default=True, type=int)
EPOCH = click.option(
    "--epoch",
    default=1,
    show_default=True,
    type=click.IntRange(1, 2),
    help="2: a later visit with new, edited and deleted posts.",
)


def _face_options(command):
    from testing.samplesite.faces import PERMALINKS, REST_MODES, THEMES

    for option in (
        click.option(
            "--rest",
            type=click.Choice(REST_MODES),
            default="on",
            show_default=True,
            help="REST API served, blocked (401), or only at ?rest_route=.",
        ),
        click.option(
            "--permalinks",
            type=click.Choice(PERMALINKS),
            default="pretty",
            show_default=True,
            help="/2709/ shapes, or WordPress's plain /?p=2709.",
        ),
        click.option("--theme", type=click.Choice(THEMES), default="lsr", show_default=True),
    ):
        command = option(command)
    return command


@click.group("sample-site")
def sample_site() -> None:
    """The local stand-in for a Lao WordPress news blog (tests, demo, benchmarks)."""


@sample_site.command("serve")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@POSTS
@SEED
@EPOCH
@_face_options
@click.option(
    "--ground-truth", type=click.Path(dir_okay=False), help="Also write the ground truth."
)
@click.option("--redesign", is_flag=True, help="A theme update that dropped the date line.")
@click.option("--chaos", is_flag=True, help="Plant network and page faults (see README).")
@click.option("--chaos-seed", default=1, show_default=True, type=int)
def sample_site_serve(
    port: int,
    posts: int,
    seed: int,
    epoch: int,
    theme: str,
    permalinks: str,
    rest: str,
    ground_truth: str | None,
    redesign: bool,
    chaos: bool,
    chaos_seed: int,
) -> None:
    """Serve the sample site on 127.0.0.1 until interrupted."""
    from testing.samplesite.faces import Face, write_face_ground_truth
    from testing.samplesite.server import SampleSite, make_server

    site = SampleSite(posts=posts, seed=seed, epoch=epoch)
    face = Face(theme, permalinks, rest)
    if ground_truth:
        with writing(output_path(ground_truth, "--ground-truth")):
            write_face_ground_truth(site, face, ground_truth)
    try:
        server = make_server(
            site,
            port,
            theme=theme,
            permalinks=permalinks,
            rest=rest,
            redesign=redesign,
            chaos=chaos,
            chaos_seed=chaos_seed,
        )
    except OSError as exc:
        raise click.ClickException(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}") from None
    console.print(
        f"Serving {posts} posts ({theme}, {permalinks} permalinks, REST {rest}) at "
        f"{server.base_url} (Ctrl-C to stop)"
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@sample_site.command("ground-truth")
@POSTS
@SEED
@EPOCH
@_face_options
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False))
def sample_site_ground_truth(
    posts: int, seed: int, epoch: int, theme: str, permalinks: str, rest: str, output: str
) -> None:
    """Write the expected corpus of the sample site as JSON."""
    from testing.samplesite.faces import Face, write_face_ground_truth
    from testing.samplesite.server import SampleSite

    with writing(output_path(output)):
        write_face_ground_truth(
            SampleSite(posts=posts, seed=seed, epoch=epoch), Face(theme, permalinks, rest), output
        )


ROOT = click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=REPO_ROOT,
    show_default="the checkout",
    help="Project root to write into.",
)


@click.command("new-site")
@click.argument("name")
@click.option("--url", required=True, help="The site's base URL, e.g. https://example.la")
@click.option("--force", is_flag=True, help="Overwrite an existing profile.")
@ROOT
def new_site(name: str, url: str, force: bool, root: Path) -> None:
    """Write a site profile skeleton (tests/sites/test_fixtures.py tests its fixtures)."""
    from crawler.fixtures import new_site as write

    try:
        with writing(root):
            written = write(name, url, root, force=force)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    for path in written:
        console.print(f"wrote {path}")
    console.print(f"Next: laocorpus fixture save {name} URL-OF-A-POST ... (see CONTRIBUTING.md)")


@click.group()
def fixture() -> None:
    """Stored posts (raw pages + headers) with the items the crawl must store from them."""


@fixture.command("save")
@click.argument("name")
@click.argument("urls", nargs=-1, required=True)
@click.option(
    "--html",
    "html_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Use this saved page's bytes instead of downloading (one URL only).",
)
@ROOT
def fixture_save(name: str, urls: tuple[str, ...], html_file: Path | None, root: Path) -> None:
    """Crawl each post URL (every page of a split post) through Scrapy and store the
    responses with the item the crawl stores today."""
    from crawler.fixtures import FixtureError, check_web_url, load_profile, save_fixtures

    _profile(name, root, load_profile)
    if html_file and len(urls) != 1:
        raise click.BadParameter("--html goes with exactly one URL", param_hint="--html")
    for url in urls:  # http(s) only: a file: URL would read a local file into a fixture
        try:
            check_web_url(url)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="URLS") from None
    if not html_file:
        console.print(f"downloading {len(urls)} post(s) with the {name} spider...")
    try:
        with writing(root):
            saved = save_fixtures(name, root, list(urls), html_file)
    except FixtureError as exc:
        raise click.ClickException(str(exc)) from None
    for directory, outcome in saved:
        shown = directory.relative_to(root) if directory.is_relative_to(root) else directory
        pages = len(outcome.pages)
        status = outcome.output.get("rejected") or "stored"
        console.print(f"saved {shown} ({pages} page{'s' * (pages > 1)}, {status})")
    console.print("Review the expected items (output.json) before committing them.")


@fixture.command("update")
@click.argument("name")
@ROOT
def fixture_update(name: str, root: Path) -> None:
    """Rewrite every expected item from its stored pages (after a deliberate change)."""
    from crawler.fixtures import FixtureError, fixture_dir, load_profile, update_fixtures

    try:
        count = update_fixtures(_profile(name, root, load_profile), fixture_dir(root, name))
    except FixtureError as exc:
        raise click.ClickException(str(exc)) from None
    console.print(f"rewrote {count} expected items; review them with git diff")


@fixture.command("check")
@click.argument("name")
@ROOT
def fixture_check(name: str, root: Path) -> None:
    """Replay every stored post through the spider and compare with its expectation."""
    from crawler.fixtures import (
        FixtureError,
        fixture_differences,
        fixture_dir,
        fixtures_in,
        load_profile,
    )

    profile = _profile(name, root, load_profile)
    if not fixtures_in(fixture_dir(root, name)):
        raise click.ClickException(
            f"no fixtures in {fixture_dir(root, name)}: run `laocorpus fixture save {name} URL...`"
        )
    try:
        problems = fixture_differences(profile, fixture_dir(root, name))
    except FixtureError as exc:
        raise click.ClickException(str(exc)) from None
    for problem in problems:
        console.print(problem, markup=False, highlight=False, soft_wrap=True)
    if problems:
        raise click.ClickException(f"{len(problems)} fields differ from the stored fixtures")
    console.print("all fixtures match")


def _profile(name: str, root: Path, load_profile):
    try:
        return load_profile(name, root)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="NAME") from None


COMMANDS = (sample_site, new_site, fixture)
