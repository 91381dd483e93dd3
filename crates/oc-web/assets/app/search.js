// Territory autocomplete: turns the search form's input into an ARIA 1.2
// combobox with a listbox of suggestions. Without this script the form
// still submits to /recherche. In the back office, a box marked
// data-oc-autocomplete-add="ID" adds the chosen territory's code
// (COM-34172, EPCI-200046977, DEP-34, REG-76) to the field ID instead.
(function () {
  "use strict";
  var DEBOUNCE_MS = 150;

  function setup(form) {
    var input = form.querySelector('input[role="combobox"]');
    var list = form.querySelector('[role="listbox"]');
    var status = form.querySelector('[aria-live]');
    var typeField = form.querySelector('input[name="type"]');
    if (!input || !list) return;
    var timer = null, controller = null, seq = 0, items = [], active = -1;

    function close() {
      list.hidden = true;
      list.innerHTML = "";
      items = [];
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function highlight(i) {
      var options = list.querySelectorAll('[role="option"]');
      options.forEach(function (o, j) { o.setAttribute("aria-selected", j === i ? "true" : "false"); });
      active = i;
      if (i >= 0 && options[i]) {
        input.setAttribute("aria-activedescendant", options[i].id);
        options[i].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    var pickField = form.querySelector('input[name="pick"]');
    var addTo = form.getAttribute("data-oc-autocomplete-add");
    var PREFIX = { commune: "COM", "arrondissement-municipal": "COM", epci: "EPCI", ept: "EPCI", departement: "DEP", region: "REG" };

    function addCode(item) {
      var field = document.getElementById(addTo);
      var prefix = PREFIX[item.type];
      if (!field || !prefix) return;
      var code = prefix + "-" + item.code;
      var codes = field.value.split(/[\s,;]+/).filter(function (c) { return c; });
      if (codes.indexOf(code) < 0) codes.push(code);
      field.value = codes.join(", ");
      input.value = "";
      close();
      if (status) status.textContent = item.name + " (" + code + ") ajouté aux territoires";
    }

    function levelOf(kind) {
      if (kind === "epci" || kind === "ept") return "epci";
      if (kind === "departement" || kind === "region") return kind;
      return "commune";
    }

    function choose(i) {
      if (!items[i]) return;
      if (addTo) { addCode(items[i]); return; }
      if (pickField) {
        // Compare mode: add the chosen collectivité instead of visiting it.
        pickField.value = levelOf(items[i].type) + ":" + items[i].code;
        input.value = items[i].name;
        form.submit();
        return;
      }
      window.location.assign(items[i].url);
    }

    function render(data) {
      list.innerHTML = "";
      items = data.results || [];
      if (!items.length) {
        close();
        if (status) status.textContent = "Aucune suggestion";
        return;
      }
      items.forEach(function (r, i) {
        var li = document.createElement("li");
        li.id = input.id + "-option-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.className = "oc-suggestion";
        var name = document.createElement("span");
        name.className = "oc-suggestion__name";
        name.textContent = r.name;
        var label = document.createElement("span");
        label.className = "oc-suggestion__label";
        // Type and département from the label, then the population, so
        // that homonyms can be told apart.
        var what = r.label.indexOf(" — ") >= 0 ? r.label.split(" — ").slice(1).join(" — ") : r.label;
        if (typeof r.population === "number") {
          what += " — " + r.population.toLocaleString("fr-FR") + " hab.";
        }
        label.textContent = what;
        li.appendChild(name);
        li.appendChild(label);
        li.addEventListener("mousedown", function (ev) { ev.preventDefault(); choose(i); });
        list.appendChild(li);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      active = -1;
      if (status) status.textContent = items.length + (items.length > 1 ? " suggestions" : " suggestion");
    }

    function fetchSuggestions() {
      var q = input.value;
      if (!q.trim()) { close(); return; }
      if (controller) controller.abort();
      controller = new AbortController();
      var mine = ++seq;
      var url = "/api/v1/search?limit=8&q=" + encodeURIComponent(q);
      if (typeField && typeField.value) url += "&type=" + encodeURIComponent(typeField.value);
      fetch(url, { signal: controller.signal, headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (data) { if (mine === seq) render(data); })
        .catch(function () { /* aborted or offline: keep the plain form */ });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(fetchSuggestions, DEBOUNCE_MS);
    });
    input.addEventListener("keydown", function (ev) {
      var open = !list.hidden && items.length > 0;
      if (ev.key === "ArrowDown") {
        if (!open) { fetchSuggestions(); return; }
        ev.preventDefault();
        highlight((active + 1) % items.length);
      } else if (ev.key === "ArrowUp") {
        if (!open) return;
        ev.preventDefault();
        highlight(active <= 0 ? items.length - 1 : active - 1);
      } else if (ev.key === "Enter") {
        if (open && active >= 0) { ev.preventDefault(); choose(active); }
        // The box sits in another form: Enter never submits it.
        else if (addTo) ev.preventDefault();
      } else if (ev.key === "Escape") {
        if (open) { ev.preventDefault(); close(); }
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
  }

  document.querySelectorAll("form[data-oc-autocomplete], [data-oc-autocomplete-add]").forEach(setup);
})();
