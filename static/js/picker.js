// Pickers (cases/pickers.py): search-as-you-type for a case's procedures, victims or suspects.
// Without JavaScript the widget already works: ticked boxes for the selection and a text box
// for numbers or pseudonyms. This script shows the search box, queries the JSON endpoint
// (debounced), lists the results as an ARIA combobox/listbox, and adds each chosen one as a
// ticked box with a remove button, so the form posts the same fields either way.
// Single mode (data-picker-single, the parquet field): the text box is the field itself, and a
// chosen result writes its name in it.
(function () {
  "use strict";

  var DELAY = 250;

  function text(picker, name, fallback) {
    return picker.getAttribute("data-text-" + name) || fallback;
  }

  function removeButton(picker, item, label) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "picker-remove";
    button.textContent = "×";
    button.setAttribute("aria-label", text(picker, "remove", "Retirer") + " " + label);
    button.addEventListener("click", function () {
      var input = picker.querySelector("[role=combobox]");
      item.remove();
      announce(picker, label + " " + text(picker, "removed", "retiré de la sélection"));
      input.focus();
    });
    item.appendChild(button);
  }

  function announce(picker, message) {
    picker.querySelector(".picker-status").textContent = message;
  }

  function bind(picker) {
    var url = picker.getAttribute("data-picker-url");
    var name = picker.getAttribute("data-picker-name");
    var single = picker.hasAttribute("data-picker-single");
    var search = picker.querySelector("[data-picker-search]");
    if (search.hasAttribute("data-picker-empty")) { return; }  // nothing to choose from in this case
    var input = search.querySelector(single ? "[data-picker-input]" : "[role=combobox]");
    var listbox = search.querySelector("[role=listbox]");
    var list = picker.querySelector("[data-picker-list]");
    if (single) {
      var status = picker.querySelector(".picker-status");
      input.setAttribute("role", "combobox");
      input.setAttribute("aria-autocomplete", "list");
      input.setAttribute("aria-expanded", "false");
      input.setAttribute("aria-controls", listbox.id);
      var described = input.getAttribute("aria-describedby");
      input.setAttribute("aria-describedby", (described ? described + " " : "") + status.id);
    }
    var timer = null;
    var sequence = 0;
    var active = -1;
    var results = [];

    search.hidden = false;
    picker.classList.add("is-enhanced");
    if (list) {
      list.querySelectorAll(".picker-chip").forEach(function (item) {
        removeButton(picker, item, item.textContent.trim());
      });
    }

    function close() {
      listbox.hidden = true;
      listbox.textContent = "";
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function existing(id) {
      if (!list) { return null; }
      return Array.prototype.find.call(list.querySelectorAll("input[type=checkbox]"), function (box) {
        return box.name === name && box.value === String(id);
      });
    }

    function choose(index) {
      var result = results[index];
      if (!result) { return; }
      if (single) {
        input.value = result.value || result.label;
        announce(picker, input.value + " " + text(picker, "added", "choisi"));
        close();
        return;
      }
      var box = existing(result.id);
      if (box) {
        box.checked = true;
      } else {
        var item = document.createElement("li");
        item.className = "picker-chip";
        var label = document.createElement("label");
        box = document.createElement("input");
        box.type = "checkbox";
        box.name = name;
        box.value = String(result.id);
        box.checked = true;
        box.id = picker.id + "_" + result.id;
        label.appendChild(box);
        label.appendChild(document.createTextNode(" " + result.label));
        item.appendChild(label);
        removeButton(picker, item, result.label);
        list.appendChild(item);
      }
      announce(picker, result.label + " " + text(picker, "added", "ajouté à la sélection"));
      input.value = "";
      close();
      input.focus();
    }

    function highlight(index) {
      var options = listbox.querySelectorAll("[role=option]");
      if (!options.length) { return; }
      active = (index + options.length) % options.length;
      options.forEach(function (option, position) {
        option.setAttribute("aria-selected", position === active ? "true" : "false");
        option.classList.toggle("is-active", position === active);
      });
      input.setAttribute("aria-activedescendant", options[active].id);
      options[active].scrollIntoView({ block: "nearest" });
    }

    function show(payload) {
      results = payload.results || [];
      listbox.textContent = "";
      active = -1;
      input.removeAttribute("aria-activedescendant");
      results.forEach(function (result, index) {
        var option = document.createElement("li");
        option.id = picker.id + "_option_" + index;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.textContent = result.label;
        var box = existing(result.id);
        if (box && box.checked) {
          option.classList.add("is-chosen");
          option.textContent += " — " + text(picker, "chosen", "déjà choisi");
        }
        // mousedown, not click: the input keeps its focus.
        option.addEventListener("mousedown", function (event) {
          event.preventDefault();
          choose(index);
        });
        listbox.appendChild(option);
      });
      // An answer that arrives after the user left the box stays closed.
      var open = results.length > 0 && document.activeElement === input;
      listbox.hidden = !open;
      input.setAttribute("aria-expanded", open ? "true" : "false");
      var message;
      if (!results.length) {
        message = text(picker, "none", "Aucun résultat.");
      } else if (payload.more) {
        message = text(picker, "more", "Premiers résultats : %s ; précisez la recherche.").replace("%s", results.length);
      } else {
        message = text(picker, "count", "Résultats : %s.").replace("%s", results.length);
      }
      announce(picker, message);
    }

    function query() {
      var mine = ++sequence;
      picker.setAttribute("aria-busy", "true");
      fetch(url + "?q=" + encodeURIComponent(input.value.trim()), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.json();
        })
        .then(function (payload) {
          if (mine === sequence) { show(payload); }
        })
        .catch(function () {
          if (mine === sequence) {
            close();
            announce(picker, text(picker, "error", "La recherche a échoué ; saisissez les éléments dans la zone de texte."));
          }
        })
        .finally(function () {
          if (mine === sequence) { picker.removeAttribute("aria-busy"); }
        });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(query, DELAY);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (listbox.hidden) { query(); } else { highlight(active + 1); }
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        if (!listbox.hidden) { highlight(active - 1); }
      } else if (event.key === "Enter") {
        // Enter in the search box chooses; it never submits the form (in single mode, a closed
        // list lets Enter submit, as in any text box).
        if (!listbox.hidden) {
          event.preventDefault();
          choose(active >= 0 ? active : 0);
        } else if (!single) {
          event.preventDefault();
        }
      } else if (event.key === "Escape") {
        if (!listbox.hidden) {
          event.preventDefault();
          close();
        }
      }
    });
    input.addEventListener("blur", function () {
      window.setTimeout(close, 150);
    });
  }

  document.querySelectorAll("[data-picker]").forEach(bind);
})();
