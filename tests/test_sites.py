import pytest

from indexer.sites import ConfigError, load_site

GOOD = 'id = "ybzy"\nname = "宜宾职业技术学院"\nbase_url = "https://www.ybzy.cn/"\nlists = ["jryz.htm"]\n'


def write(tmp_path, text):
    p = tmp_path / "site.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_a_few_lines_make_a_site(tmp_path):
    s = load_site(write(tmp_path, GOOD))
    assert s.list_urls == ("https://www.ybzy.cn/jryz.htm",)
    assert s.is_article_url("https://www.ybzy.cn/info/1012/34567.htm")
    assert not s.is_article_url("https://www.ybzy.cn/jryz/10.htm")
    assert s.delay == 1.0 and "webmaster" in s.user_agent
    moved = s.with_base_url("http://127.0.0.1:9999")
    assert moved.list_urls == ("http://127.0.0.1:9999/jryz.htm",)
    assert moved.is_allowed_host("http://127.0.0.1:9999/x") and not moved.is_allowed_host("https://www.ybzy.cn/")


@pytest.mark.parametrize("extra, key", [
    ('colour = "red"\n', "colour"),
    ('profile = "wordpress"\n', "profile"),
    ('article_pattern = "info/(\\\\d+"\n', "article_pattern"),
    ('[politeness]\ndelay = -1\n', "politeness.delay"),
    ('[politeness]\ndelai = 1\n', "politeness.delai"),
    ('[selectors]\ntitle = "h1[["\n', "selectors.title"),
    ('encoding = "klingon"\n', "encoding"),
])
def test_mistakes_name_the_file_and_key(tmp_path, extra, key):
    text = GOOD + extra if not extra.startswith("[") else GOOD + extra
    with pytest.raises(ConfigError) as err:
        load_site(write(tmp_path, text))
    assert err.value.key == key
    assert "site.toml" in str(err.value)


def test_missing_and_malformed_files(tmp_path):
    with pytest.raises(ConfigError, match="no such file"):
        load_site(tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_site(write(tmp_path, "id = \n"))
    with pytest.raises(ConfigError, match="'lists'"):
        load_site(write(tmp_path, 'id = "a"\nname = "b"\nbase_url = "http://x/"\n'))
