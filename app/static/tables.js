/* Tables scroll inside their own box when they are wider than the page's column, never the page itself.
   A box that scrolls can be focused and is named after its table, so it can be scrolled from the keyboard.
   Without JavaScript the stylesheet still keeps wide tables from widening the page (style.css). */
(function () {
  "use strict";
  function nameOf(table) {
    /* "Table: <its caption>", or the heading of its section: told apart from the section itself, which may
       bear the same name ("Table" in the page's language, from <main data-table-label>). */
    var word = document.getElementById("main").getAttribute("data-table-label") || "Table";
    var caption = table.querySelector("caption");
    var section = table.closest("section, article");
    var heading = (section && section.querySelector("h1, h2, h3")) || document.querySelector("h1") || document.body;
    var text = (caption && caption.textContent.trim()) || table.getAttribute("aria-label") || heading.textContent.trim();
    return word + ": " + text.slice(0, 120);
  }
  var boxes = [];
  Array.prototype.forEach.call(document.querySelectorAll("main table"), function (table) {
    var box = table.parentElement;
    if (!box.classList.contains("table-scroll")) {
      box = document.createElement("div");
      box.className = "table-scroll";
      table.parentNode.insertBefore(box, table);
      box.appendChild(table);
    }
    boxes.push([box, table]);
  });
  function mark() {
    var used = {};
    boxes.forEach(function (pair) {
      var box = pair[0];
      if (box.scrollWidth > box.clientWidth + 1) {
        var name = nameOf(pair[1]);
        used[name] = (used[name] || 0) + 1;  /* two regions never share a name */
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", used[name] > 1 ? name + " (" + used[name] + ")" : name);
      } else {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  }
  mark();
  window.addEventListener("resize", mark);
}());
