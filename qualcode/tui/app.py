"""QualcodeApp: the terminal coding workbench."""

from __future__ import annotations

import gc
import os
from pathlib import Path

from textual import work
from textual.app import App
from textual.binding import Binding

from qualcode.anonymise.service import PASSPHRASE_ENV
from qualcode.codebook.service import CodeView
from qualcode.errors import QualcodeError
from qualcode.tui.coding_service import CodingService
from qualcode.tui.modals.passphrase import PassphraseModal
from qualcode.tui.screens.overview import OverviewScreen
from qualcode.tui.screens.reader import ReaderScreen
from qualcode.tui.screens.review import ReviewScreen
from qualcode.tui.screens.search import SearchScreen
from qualcode.tui.screens.segments import SegmentsScreen
from qualcode.tui.screens.start import StartScreen


class QualcodeApp(App[None]):
    CSS_PATH = ["styles/qualcode.tcss"]
    TITLE = "qualcode"
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="app.quit"),
        Binding("ctrl+f", "search", "Search", id="app.search"),
    ]

    def __init__(
        self, project_root: Path, coder_name: str | None = None, coder_role: str | None = None, key_path: Path | None = None,
    ) -> None:
        """With a coder name (from --coder) the UI starts at the overview; without, it asks first.

        What every screen needs (codes, recent codes, the last coder) is read here, before the
        UI runs; after that the database is only used from workers.
        """
        super().__init__()
        self.coder_name = coder_name or ""
        self.service = CodingService(project_root, coder_name, coder_role, key_path)
        self.codes: list[CodeView] = []
        self.recent: list[str] = []
        self.reload_codes()
        self.last_coder = self.service.last_coder() if not coder_name else None

    def coding_service(self) -> CodingService:
        return self.service

    def recent_codes(self) -> list[str]:
        return self.recent

    def reload_codes(self) -> None:
        """The codebook and the coder's recent codes as they are now; called from workers after a change."""
        self.codes = self.service.codes()
        self.recent = self.service.recent()

    def on_mount(self) -> None:
        # What is loaded by now (spaCy, SQLAlchemy, Textual) lives as long as the app; leaving it
        # out of the collector's full passes keeps those passes from freezing the screen
        # (they took 110-155 ms mid-draw in bench_tui.py).
        gc.freeze()
        if self.last_coder is None:
            self.push_screen(OverviewScreen())
            return
        name, role, known = self.last_coder
        self.push_screen(StartScreen(name, role, known), self._coder_chosen)

    def _coder_chosen(self, chosen: tuple[str, str] | None) -> None:
        if chosen is None:
            self.exit()
            return
        self.coder_name, role = chosen
        self.remember_coder(self.coder_name, role)

    @work(thread=True, exclusive=True, group="coder")
    def remember_coder(self, name: str, role: str) -> None:
        self.service.use_coder(name, role)
        self.reload_codes()  # recent codes are the coder's own
        self.call_from_thread(self.push_screen, OverviewScreen())

    @work(thread=True, exclusive=True, group="open")
    def open_transcript(self, name: str, offset: int | None = None) -> None:
        """Load the transcript off the UI thread, then show it."""
        document = self.service.document(name)
        self.call_from_thread(self.push_screen, ReaderScreen(document, self.codes, offset))

    def action_review(self) -> None:
        """Review possible identifiers: the key's passphrase from the environment, or asked for."""
        self.open_key(os.environ.get(PASSPHRASE_ENV) or None)

    def _passphrase_given(self, passphrase: str | None) -> None:
        if passphrase:
            self.open_key(passphrase)

    @work(thread=True, exclusive=True, group="key")
    def open_key(self, passphrase: str | None) -> None:
        """Decrypting takes a moment (scrypt), so off the UI thread."""
        if not self.service.key_exists():
            self.call_from_thread(self.notify, "No key yet, so nothing waits for review: import a transcript first.", title="Review")
            return
        if passphrase is None:
            self.call_from_thread(self.push_screen, PassphraseModal("of this project"), self._passphrase_given)
            return
        try:
            pending = self.service.open_key(passphrase)
        except QualcodeError as error:
            self.call_from_thread(self.push_screen, PassphraseModal("of this project", str(error)), self._passphrase_given)
            return
        self.call_from_thread(self.push_screen, ReviewScreen(pending))

    def action_search(self) -> None:
        self.push_screen(SearchScreen())

    def browse_code(self, code_path: str) -> None:
        self.push_screen(SegmentsScreen(code_path))

    def on_unmount(self) -> None:
        self.service.close()
