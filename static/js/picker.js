/* bhrplan picker: adds a filter box to long checkbox lists and selects marked
   [data-picker]. Without JavaScript they stay plain, accessible lists. No library. */
(function () {
  "use strict";
  function norm(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  var count = 0;
  function setUp(box) {
    count += 1;
    var isSelect = box.tagName === "SELECT";
    var items = isSelect
      ? Array.prototype.slice.call(box.options).filter(function (o) { return o.value; })
      : Array.prototype.slice.call(box.querySelectorAll("li"));
    if (items.length < 8) { return; }
    var wrap = document.createElement("div");
    wrap.className = "picker-filter";
    var label = document.createElement("label");
    var input = document.createElement("input");
    var status = document.createElement("p");
    input.type = "search";
    input.id = "picker-filter-" + count;
    input.autocomplete = "off";
    label.htmlFor = input.id;
    label.textContent = box.getAttribute("data-filter-label") || "Filter";
    status.className = "help";
    status.setAttribute("aria-live", "polite");
    wrap.appendChild(label);
    wrap.appendChild(input);
    wrap.appendChild(status);
    box.parentNode.insertBefore(wrap, box);
    function chosen(item) {
      return isSelect ? item.selected : item.querySelector("input").checked;
    }
    if (!isSelect) {
      /* The chosen options first, so a long list shows what is already picked. */
      Array.prototype.forEach.call(box.querySelectorAll("ul"), function (list) {
        Array.prototype.slice.call(list.children).filter(chosen).reverse().forEach(function (li) {
          list.insertBefore(li, list.firstChild);
        });
      });
    }
    function update() {
      var query = norm(input.value.trim());
      var shown = 0;
      var picked = 0;
      items.forEach(function (item) {
        var isChosen = chosen(item);
        var match = isChosen || !query || norm(item.textContent).indexOf(query) !== -1;
        item.hidden = !match;
        if (isChosen) { picked += 1; }
        if (match) { shown += 1; }
      });
      Array.prototype.forEach.call(box.querySelectorAll("fieldset"), function (group) {
        group.hidden = !group.querySelector("li:not([hidden])");
      });
      var text = box.getAttribute("data-count-text") || "{shown} / {chosen}";
      status.textContent = text.replace("{shown}", shown).replace("{chosen}", picked);
    }
    input.addEventListener("input", update);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); }
    });
    box.addEventListener("change", update);
    update();
  }
  Array.prototype.forEach.call(document.querySelectorAll("[data-picker]"), setUp);
})();
