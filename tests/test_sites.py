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


def test_lists_entries_may_name_their_column(tmp_path):
    s = load_site(write(tmp_path, GOOD.replace('lists = ["jryz.htm"]',
                                               'lists = ["jryz.htm", { path = "xwzx/tzgg.htm", column = "通知公告" }]')))
    assert s.lists == ("jryz.htm", "xwzx/tzgg.htm")                       # as before, for other code
    assert s.list_urls == ("https://www.ybzy.cn/jryz.htm", "https://www.ybzy.cn/xwzx/tzgg.htm")
    assert s.list_entries == (("https://www.ybzy.cn/jryz.htm", None), ("https://www.ybzy.cn/xwzx/tzgg.htm", "通知公告"))
    assert s.with_base_url("http://127.0.0.1:9999/").list_entries[1] == ("http://127.0.0.1:9999/xwzx/tzgg.htm", "通知公告")
    for bad, key in (('{ column = "通知公告" }', "lists[1].path"), ('{ path = "a.htm", colum = "x" }', "lists[1].colum"),
                     ('{ path = "a.htm", column = "" }', "lists[1].column"), ('3', "lists[1]")):
        with pytest.raises(ConfigError) as err:
            load_site(write(tmp_path, GOOD.replace('lists = ["jryz.htm"]', f'lists = ["jryz.htm", {bad}]')))
        assert err.value.key == key


@pytest.mark.parametrize("path, taken", [
    ("/info/1023/2862.htm", True), ("/info/1023/2862.html", True), ("/info/1023/2862-1.htm", True),
    ("/info/1023/2862_2.htm", False),               # an article's second page, not an article
    ("/content.jsp?urltype=news.NewsContentUrl&wbtreeid=1001&wbnewsid=1234", True), ("/xwzx/2.htm", False),
])
def test_the_vsb_profile_takes_the_article_urls_vsb_sites_use(tmp_path, path, taken):
    assert load_site(write(tmp_path, GOOD)).is_article_url("https://www.ybzy.cn" + path) is taken


def test_a_regex_in_double_quotes_is_told_to_use_single_quotes(tmp_path):
    with pytest.raises(ConfigError) as err:
        load_site(write(tmp_path, GOOD + 'profile = "generic"\narticle_pattern = "/news/\\d+\\.html$"\n'))
    assert err.value.key == "article_pattern"
    assert "not valid TOML" in str(err.value) and "single quotes" in str(err.value)
    assert "article_pattern = '/news/\\d+\\.html$'" in str(err.value)
    s = load_site(write(tmp_path, GOOD + "profile = \"generic\"\narticle_pattern = '/news/\\d+\\.html$'\n"))
    assert s.is_article_url("https://www.ybzy.cn/news/12.html")


@pytest.mark.parametrize("extra, key, table", [
    ("delay = 2\n", "delay", "[politeness]"), ("contact = \"a@b.cn\"\n", "contact", "[politeness]"),
    ("max_pages = 10\n", "max_pages", "[limits]"), ("title = \"h1\"\n", "title", "[selectors]"),
    ("[politeness]\nmax_depth = 3\n", "politeness.max_depth", "[limits]"),
    ("[limits]\ndelay = 3\n", "limits.delay", "[politeness]"),
])
def test_a_key_in_the_wrong_place_names_where_it_belongs(tmp_path, extra, key, table):
    with pytest.raises(ConfigError) as err:
        load_site(write(tmp_path, GOOD + extra))
    assert err.value.key == key and f"belongs under {table}" in str(err.value)


def test_department_keys(tmp_path):
    from indexer.sites import ConfigError, load_site
    p = tmp_path / "cst.toml"
    p.write_text('id = "cst"\nname = "中北大学大数据学院"\nbase_url = "http://cst.example.edu.cn/"\n'
                 'lists = ["xwzx.htm"]\ninstitution = "中北大学"\ndepartment = "大数据学院"\n'
                 '[departments]\n"大数据团委" = "大数据学院团委"\n', encoding="utf-8")
    site = load_site(p)
    assert (site.institution, site.department) == ("中北大学", "大数据学院")
    assert site.department_aliases == {"大数据团委": "大数据学院团委"}
    p.write_text('id = "cst"\nname = "x"\nbase_url = "http://cst.example.edu.cn/"\nlists = ["x.htm"]\n'
                 '[departments]\n"大数据团委" = 3\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="departments"):
        load_site(p)
