"""The public surface: `__all__` sorted, complete, importable; every public name documented."""

import inspect

import nemo_widgets


def test_all_is_sorted_and_unique() -> None:
    assert list(nemo_widgets.__all__) == sorted(set(nemo_widgets.__all__))


def test_every_public_attribute_is_listed() -> None:
    public = {
        name
        for name, value in vars(nemo_widgets).items()
        if not name.startswith("_") and not inspect.ismodule(value) and name != "annotations"
    }
    assert public <= set(nemo_widgets.__all__)


def test_every_listed_name_exists_and_has_a_docstring() -> None:
    for name in nemo_widgets.__all__:
        if name == "__version__":
            continue
        obj = getattr(nemo_widgets, name)
        assert (obj.__doc__ or "").strip(), f"{name} has no docstring"


def test_errors_share_one_root() -> None:
    for name in nemo_widgets.__all__:
        obj = getattr(nemo_widgets, name)
        if isinstance(obj, type) and issubclass(obj, Exception):
            assert issubclass(obj, nemo_widgets.NemoError), name


def test_session_methods_show_what_the_caller_gets() -> None:
    # help() reads the signature: a twin shows its work's parameters and the caller's result
    for name in ("export_timeline", "aexport_timeline"):
        shown = inspect.signature(getattr(nemo_widgets.Session, name))
        assert shown.return_annotation == "Path" and "media_dir" in shown.parameters
    assert inspect.signature(nemo_widgets.Session.export).return_annotation == "RenderJob"
